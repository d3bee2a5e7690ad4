"""The compute manager's moves: resize and cold migration, live migration, shelve and unshelve.

Resize follows nova: ``prep_resize`` on the destination (claim), ``resize_instance`` on the
source (resize_migrating -> resize_migrated, guest powered off and handed over),
``finish_resize`` on the destination (resize_finish -> vm_state resized, VERIFY_RESIZE).
Confirm drops the source guest and the migration's allocation; revert brings the source back.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import ApiError
from twinstack.services.compute import states
from twinstack.services.compute.drivers.base import DriverError
from twinstack.services.compute.instances import InstanceGone, UnexpectedTaskState

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.manager import ComputeManager


class MovesMixin:
    # resize / cold migration ----------------------------------------------------------------------
    async def prep_resize(
        self: ComputeManager,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        new_flavor: dict[str, Any],
        node: str,
    ) -> None:
        inst = self.store.get(instance_id)
        if inst is None:
            return
        self.claim({"id": f"{instance_id}:dest"}, new_flavor)
        self.compute.set_migration(migration_id, status="migrating")
        await self.compute.compute_rpc.cast(
            ctx,
            inst["host"],
            "resize_instance",
            instance_id=instance_id,
            migration_id=migration_id,
            new_flavor=new_flavor,
            dest=self.host,
            dest_node=self.node,
        )

    async def resize_instance(
        self: ComputeManager,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        new_flavor: dict[str, Any],
        dest: str,
        dest_node: str,
    ) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_resize_instance"):
                inst = self.store.save(
                    instance_id, expected_task_state=states.RESIZE_PREP, task_state=states.RESIZE_MIGRATING
                )
                await self.driver.migrate_disk_and_power_off(inst, dest)
                self.store.save(
                    instance_id,
                    expected_task_state=states.RESIZE_MIGRATING,
                    task_state=states.RESIZE_MIGRATED,
                    power_state=states.SHUTDOWN,
                )
                self.compute.set_migration(migration_id, status="post-migrating")
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc, error=True)
            return
        await self.compute.compute_rpc.cast(
            ctx,
            dest,
            "finish_resize",
            instance_id=instance_id,
            migration_id=migration_id,
            new_flavor=new_flavor,
        )

    async def finish_resize(
        self: ComputeManager,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        new_flavor: dict[str, Any],
    ) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_finish_resize"):
                inst = self.store.save(
                    instance_id, expected_task_state=states.RESIZE_MIGRATED, task_state=states.RESIZE_FINISH
                )
                was_stopped = inst["vm_state"] == states.STOPPED
                old_flavor = inst["flavor"]
                sysmeta = dict(inst["system_metadata"] or {})
                sysmeta["old_vm_state"] = inst["vm_state"]
                inst = self.store.save(
                    instance_id,
                    host=self.host,
                    node=self.node,
                    flavor=new_flavor,
                    old_flavor=old_flavor,
                    new_flavor=new_flavor,
                    vcpus=new_flavor["vcpus"],
                    memory_mb=new_flavor["memory_mb"],
                    root_gb=new_flavor["root_gb"],
                    system_metadata=sysmeta,
                )
                self.tracked.pop(f"{instance_id}:dest", None)
                self.claim(inst, new_flavor)
                await self.driver.finish_migration(inst, power_on=not was_stopped)
                self.store.save(
                    instance_id,
                    expected_task_state=states.RESIZE_FINISH,
                    vm_state=states.RESIZED,
                    task_state=None,
                    power_state=states.SHUTDOWN if was_stopped else states.RUNNING,
                )
                self.compute.set_migration(migration_id, status="finished")
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc, error=True)

    async def confirm_resize(
        self: ComputeManager, ctx: RequestContext, instance_id: str, migration_id: str
    ) -> None:
        """Runs on the source host: drop the old guest and the migration's allocation."""
        inst = self.store.get(instance_id)
        if inst is None:
            return
        async with self.event(ctx, instance_id, "compute_confirm_resize"):
            with contextlib.suppress(DriverError):
                if inst["host"] != self.host:
                    await self.driver.confirm_migration(inst)
            if inst["host"] != self.host:
                self.drop(instance_id)
            placement = self.cloud.service("placement")
            if placement.get_consumer(migration_id) is not None:
                placement.replace_allocations({migration_id: {"allocations": {}}})
            sysmeta = dict(inst["system_metadata"] or {})
            old_vm_state = sysmeta.pop("old_vm_state", states.ACTIVE)
            stopped = old_vm_state == states.STOPPED
            self.store.save(
                instance_id,
                vm_state=states.STOPPED if stopped else states.ACTIVE,
                task_state=None,
                old_flavor=None,
                new_flavor=None,
                system_metadata=sysmeta,
                power_state=states.SHUTDOWN if stopped else states.RUNNING,
            )
            self.compute.set_migration(migration_id, status="confirmed")

    async def revert_resize(
        self: ComputeManager,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        source: str,
        source_node: str,
    ) -> None:
        """Runs on the destination: drop the new guest, hand back to the source."""
        inst = self.store.get(instance_id)
        if inst is None:
            return
        async with self.event(ctx, instance_id, "compute_revert_resize"):
            with contextlib.suppress(DriverError):
                await self.driver.destroy(inst)
            self.drop(instance_id)
        await self.compute.compute_rpc.cast(
            ctx, source, "finish_revert_resize", instance_id=instance_id, migration_id=migration_id
        )

    async def finish_revert_resize(
        self: ComputeManager, ctx: RequestContext, instance_id: str, migration_id: str
    ) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_finish_revert_resize"):
                inst = self.store.require(instance_id)
                old_flavor = inst["old_flavor"] or inst["flavor"]
                sysmeta = dict(inst["system_metadata"] or {})
                old_vm_state = sysmeta.pop("old_vm_state", states.ACTIVE)
                stopped = old_vm_state == states.STOPPED
                placement = self.cloud.service("placement")
                if placement.get_consumer(instance_id) is not None:
                    placement.replace_allocations({instance_id: {"allocations": {}}})
                placement.move_allocations(migration_id, instance_id, consumer_type="INSTANCE")
                inst = self.store.save(
                    instance_id,
                    host=self.host,
                    node=self.node,
                    flavor=old_flavor,
                    old_flavor=None,
                    new_flavor=None,
                    vcpus=old_flavor["vcpus"],
                    memory_mb=old_flavor["memory_mb"],
                    root_gb=old_flavor["root_gb"],
                    system_metadata=sysmeta,
                )
                self.claim(inst, old_flavor)
                await self.driver.finish_revert_migration(inst, power_on=not stopped)
                self.store.save(
                    instance_id,
                    expected_task_state=states.RESIZE_REVERTING,
                    vm_state=states.STOPPED if stopped else states.ACTIVE,
                    task_state=None,
                    power_state=states.SHUTDOWN if stopped else states.RUNNING,
                )
                self.compute.set_migration(migration_id, status="reverted")
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc, error=True)

    # live migration -------------------------------------------------------------------------------
    async def live_migration(
        self: ComputeManager,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        dest: str,
        dest_node: str,
    ) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_live_migration"):
                inst = self.store.require(instance_id)
                self.compute.set_migration(migration_id, status="running")
                await self.driver.live_migration(inst, dest)
                self.drop(instance_id)
                placement = self.cloud.service("placement")
                if placement.get_consumer(migration_id) is not None:
                    placement.replace_allocations({migration_id: {"allocations": {}}})
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            placement = self.cloud.service("placement")
            placement.replace_allocations({instance_id: {"allocations": {}}})
            placement.move_allocations(migration_id, instance_id, consumer_type="INSTANCE")
            self.compute.set_migration(migration_id, status="error")
            self._fail_action(instance_id, exc)
            return
        await self.compute.compute_rpc.cast(
            ctx,
            dest,
            "post_live_migration_at_destination",
            instance_id=instance_id,
            migration_id=migration_id,
        )

    async def post_live_migration_at_destination(
        self: ComputeManager, ctx: RequestContext, instance_id: str, migration_id: str
    ) -> None:
        try:
            inst = self.store.save(instance_id, host=self.host, node=self.node)
            self.driver.adopt({**inst, "power_state": inst["power_state"]})
            self.claim(inst)
            with contextlib.suppress(ApiError):
                self._network().bind_ports_for_instance(
                    ctx, instance_id, self.host, inst.get("availability_zone") or "nova"
                )
            self.store.save(instance_id, expected_task_state=states.MIGRATING, task_state=None)
            self.compute.set_migration(migration_id, status="completed")
        except (InstanceGone, UnexpectedTaskState):
            return

    # shelve -------------------------------------------------------------------------------------
    async def shelve_instance(
        self: ComputeManager, ctx: RequestContext, instance_id: str, image_id: str | None, offload: bool
    ) -> None:
        image = self.cloud.service("image")
        try:
            async with self.event(ctx, instance_id, "compute_shelve_instance"):
                inst = self.store.save(
                    instance_id,
                    expected_task_state=states.SHELVING,
                    task_state=states.SHELVING_IMAGE_PENDING_UPLOAD,
                )
                if image_id:
                    chunks = await self.driver.snapshot(inst)
                    await self._upload(
                        ctx,
                        image,
                        image_id,
                        instance_id,
                        chunks,
                        states.SHELVING_IMAGE_UPLOADING,
                        states.SHELVING_IMAGE_PENDING_UPLOAD,
                    )
                else:
                    self.store.save(instance_id, task_state=states.SHELVING_IMAGE_UPLOADING)
                with contextlib.suppress(DriverError):
                    await self.driver.power_off(inst)
                sysmeta = dict(inst["system_metadata"] or {})
                sysmeta["shelved_at"] = self.cloud.clock.now().isoformat()
                if image_id:
                    sysmeta["shelved_image_id"] = image_id
                sysmeta["shelved_host"] = self.host
                self.store.save(
                    instance_id,
                    expected_task_state=states.SHELVING_IMAGE_UPLOADING,
                    vm_state=states.SHELVED,
                    task_state=states.SHELVING_OFFLOADING if offload else None,
                    power_state=states.SHUTDOWN,
                    system_metadata=sysmeta,
                )
        except (InstanceGone, UnexpectedTaskState):
            return
        except (DriverError, ApiError) as exc:
            if image_id:
                self._kill_image(image, image_id)
            self._fail_action(instance_id, exc)
            return
        if offload:
            await self.shelve_offload_instance(ctx, instance_id)

    async def shelve_offload_instance(self: ComputeManager, ctx: RequestContext, instance_id: str) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_shelve_offload_instance"):
                inst = self.store.save(
                    instance_id,
                    expected_task_state=(states.SHELVING_OFFLOADING, None),
                    task_state=states.SHELVING_OFFLOADING,
                )
                with contextlib.suppress(DriverError):
                    await self.driver.destroy(inst)
                with contextlib.suppress(ApiError):
                    self._network().unbind_ports_for_instance(ctx, instance_id)
                self.drop(instance_id)
                self.compute.release_allocations(instance_id)
                self.store.save(
                    instance_id,
                    expected_task_state=states.SHELVING_OFFLOADING,
                    vm_state=states.SHELVED_OFFLOADED,
                    task_state=None,
                    host=None,
                    node=None,
                    power_state=states.SHUTDOWN,
                )
        except (InstanceGone, UnexpectedTaskState):
            return

    async def unshelve_instance(
        self: ComputeManager, ctx: RequestContext, instance_id: str, node: str
    ) -> None:
        try:
            async with self.event(ctx, instance_id, "compute_unshelve_instance"):
                inst = self.store.save(
                    instance_id,
                    expected_task_state=states.UNSHELVING,
                    task_state=states.SPAWNING,
                    host=self.host,
                    node=self.node,
                )
                self.claim(inst)
                with contextlib.suppress(ApiError):
                    self._network().bind_ports_for_instance(
                        ctx, instance_id, self.host, inst.get("availability_zone") or "nova"
                    )
                await self.driver.spawn(inst, inst.get("image_meta") or {}, [], [])
                sysmeta = dict(inst["system_metadata"] or {})
                shelved_image = sysmeta.pop("shelved_image_id", None)
                for key in ("shelved_at", "shelved_host"):
                    sysmeta.pop(key, None)
                self.store.save(
                    instance_id,
                    expected_task_state=states.SPAWNING,
                    vm_state=states.ACTIVE,
                    task_state=None,
                    power_state=states.RUNNING,
                    system_metadata=sysmeta,
                )
                if shelved_image:
                    with contextlib.suppress(Exception):
                        self.cloud.service("image").delete_image(ctx, shelved_image)
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self.drop(instance_id)
            self.compute.release_allocations(instance_id)
            self._fail_action(instance_id, exc, error=True)
