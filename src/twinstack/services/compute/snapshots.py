"""createImage on the host: nova's snapshot flow, one visible step at a time.

task_state walks image_snapshot_pending (set by the API) -> image_snapshot (the driver takes the
disk) -> image_pending_upload -> image_uploading -> None, while the glance image the API created
goes queued -> saving (during the upload) -> active. Every step lasts the compute config's
latency for it ("snapshot" for the driver, "snapshot_pending_upload", "snapshot_upload"), so a
client polling the server or the image sees each state, as with nova. A failure kills the image
and reverts task_state with a fault (nova's reverts_task_state); a server deleted meanwhile
kills the image too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twinstack.core.errors import ApiError
from twinstack.services.compute import states
from twinstack.services.compute.drivers.base import DriverError
from twinstack.services.compute.instances import InstanceGone, UnexpectedTaskState

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.manager import ComputeManager


async def snapshot_instance(
    manager: ComputeManager, ctx: RequestContext, instance_id: str, image_id: str
) -> None:
    store = manager.store
    inst = store.get(instance_id)
    if inst is None:
        return
    image = manager.cloud.service("image")
    try:
        async with manager.event(ctx, instance_id, "compute_snapshot_instance"):
            store.save(
                instance_id,
                expected_task_state=states.IMAGE_SNAPSHOT_PENDING,
                task_state=states.IMAGE_SNAPSHOT,
            )
            chunks = await manager.driver.snapshot(inst)
            store.save(
                instance_id, expected_task_state=states.IMAGE_SNAPSHOT, task_state=states.IMAGE_PENDING_UPLOAD
            )
            await manager._step("snapshot_pending_upload")
            store.save(
                instance_id,
                expected_task_state=states.IMAGE_PENDING_UPLOAD,
                task_state=states.IMAGE_UPLOADING,
            )
            image.set_image_status(image_id, "saving")
            await manager._step("snapshot_upload")
            await image.upload_image_data(ctx, image_id, chunks)
            store.save(instance_id, expected_task_state=states.IMAGE_UPLOADING, task_state=None)
    except (InstanceGone, UnexpectedTaskState):
        manager._kill_image(image, image_id)
    except (DriverError, ApiError) as exc:
        manager._kill_image(image, image_id)
        manager._fail_action(instance_id, exc)
