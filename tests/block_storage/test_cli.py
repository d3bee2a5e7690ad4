"""The issue's user commands through the real ``openstack`` CLI (waits go through the SDK)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.conftest import OpenStackCLI


def _wait_volume(conn: Any, name_or_id: str, status: str = "available") -> Any:
    vol = conn.block_storage.find_volume(name_or_id)
    return conn.block_storage.wait_for_status(vol, status, interval=0.05, wait=30)


def test_volume_and_snapshot_commands(cli: OpenStackCLI, twinstack_conn: Any) -> None:
    conn = twinstack_conn
    tag = uuid.uuid4().hex[:6]
    v1, s1, v2 = f"v1-{tag}", f"s1-{tag}", f"v2-{tag}"
    created = cli.json("volume", "create", "--size", "1", v1)
    assert created["status"] == "creating" and created["size"] == 1
    vol = _wait_volume(conn, v1)
    assert vol.volume_type == "__DEFAULT__"

    snap = cli.json("volume", "snapshot", "create", "--volume", v1, s1)
    assert snap["status"] == "creating" and snap["volume_id"] == vol.id
    conn.block_storage.wait_for_status(
        conn.block_storage.get_snapshot(snap["id"]), "available", interval=0.05, wait=30
    )

    from_snap = cli.json("volume", "create", "--snapshot", s1, v2)
    assert from_snap["snapshot_id"] == snap["id"]
    assert _wait_volume(conn, v2).size == 1
    conn.block_storage.delete_volume(conn.block_storage.find_volume(v2))
    conn.block_storage.delete_snapshot(snap["id"])


def test_volume_set_size_and_image_create(cli: OpenStackCLI, twinstack_conn: Any) -> None:
    conn = twinstack_conn
    tag = uuid.uuid4().hex[:6]
    v1, img = f"grow-{tag}", f"img-from-vol-{tag}"
    vol = conn.block_storage.create_volume(size=1, name=v1)
    conn.block_storage.wait_for_status(vol, "available", interval=0.05, wait=30)
    cli.run("volume", "set", "--size", "20", v1)
    deadline = time.monotonic() + 30
    while conn.block_storage.get_volume(vol.id).size != 20:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    image = cli.json("image", "create", "--volume", v1, img)
    assert image["status"] == "uploading" and image["image_name"] == img
    deadline = time.monotonic() + 30
    while conn.image.get_image(image["image_id"]).status != "active":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _wait_volume(conn, v1).size == 20
    conn.image.delete_image(image["image_id"])
    conn.block_storage.delete_volume(vol)


def test_volume_from_image_is_bootable_and_holds_the_bytes(
    cli: OpenStackCLI, twinstack_conn: Any, twinstack_cloud: Any
) -> None:
    name = f"bootvol-{uuid.uuid4().hex[:6]}"
    created = cli.json(
        "volume", "create", "--image", "cirros-0.6.2-x86_64-disk", "--size", "1", "--bootable", name
    )
    assert created["status"] == "creating"
    vol = _wait_volume(twinstack_conn, name)
    assert vol.is_bootable is True
    assert vol.volume_image_metadata["image_name"] == "cirros-0.6.2-x86_64-disk"
    # the image's bytes were copied into the volume (the driver reads them back)
    manager = next(iter(twinstack_cloud.cloud.service("block_storage").managers.values()))
    data = b"".join(manager.driver.copy_volume_to_image({"id": vol.id}))
    image = twinstack_conn.image.find_image("cirros-0.6.2-x86_64-disk")
    assert len(data) == image.size
    twinstack_conn.block_storage.delete_volume(vol)
