"""``ImageService`` as nova and cinder use it (interfaces.md), without HTTP."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

from twinstack.core.context import RequestContext
from twinstack.core.errors import Conflict, NotFound
from twinstack.testing import CloudHandle


def _run(cloud: Any, coro: Any) -> Any:
    """Run a coroutine on a fresh loop (the service never awaits inside a transaction)."""
    return asyncio.run(coro)


def test_snapshot_style_create_upload_read_delete(twinstack_cloud: CloudHandle, name: str) -> None:
    cloud = twinstack_cloud.cloud
    images = cloud.service("image")
    ctx = RequestContext.admin_context()
    ctx.project_id = "p-" + name
    img = images.create_image(
        ctx,
        name=name,
        disk_format="qcow2",
        container_format="bare",
        properties={"image_type": "snapshot", "instance_uuid": "abc", "kernel_id": None, "hw_cores": 2},
        min_disk=1,
    )
    assert img["status"] == "queued" and img["image_type"] == "snapshot" and img["min_disk"] == 1
    assert img["hw_cores"] == "2" and "kernel_id" not in img
    images.set_image_status(img["id"], "saving")
    assert images.get_image(ctx, img["id"])["status"] == "saving"
    blocks = [b"a" * 1000, b"b" * 2000]
    view = _run(cloud, images.upload_image_data(ctx, img["id"], iter(blocks)))
    assert view["status"] == "active" and view["size"] == 3000
    assert view["checksum"] == hashlib.md5(b"".join(blocks)).hexdigest()
    assert b"".join(images.open_image_data(ctx, img["id"])) == b"".join(blocks)
    with pytest.raises(Conflict):
        images.set_image_status(img["id"], "queued")
    images.delete_image(ctx, img["id"])
    with pytest.raises(NotFound):
        images.get_image(ctx, img["id"])


def test_other_projects_do_not_see_private_images(twinstack_cloud: CloudHandle, name: str) -> None:
    images = twinstack_cloud.cloud.service("image")
    owner = RequestContext(request_id="r", user_id="u1", project_id="p1-" + name, roles=["member", "reader"])
    other = RequestContext(request_id="r", user_id="u2", project_id="p2-" + name, roles=["member", "reader"])
    img = images.create_image(owner, name=name)
    with pytest.raises(NotFound):
        images.get_image(other, img["id"])
    with pytest.raises(NotFound):
        images.open_image_data(owner, img["id"])  # no data yet
    images.delete_image(owner, img["id"])
