"""The user-facing commands of the issue, with the real ``openstack`` CLI and python-glanceclient."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from glanceclient import Client as GlanceClient

from twinstack.testing import CloudHandle


@pytest.mark.cli
def test_openstack_cli_image_lifecycle(cli: Any, tmp_path: Path, name: str) -> None:
    disk = tmp_path / "disk.img"
    data = os.urandom(300 * 1024)
    disk.write_bytes(data)
    created = cli.json(
        "image",
        "create",
        "--file",
        str(disk),
        "--disk-format",
        "qcow2",
        "--container-format",
        "bare",
        "--public",
        name,
    )
    assert created["name"] == name and created["status"] == "active" and created["visibility"] == "public"
    assert created["checksum"] == hashlib.md5(data).hexdigest()
    assert name in [i["Name"] for i in cli.json("image", "list")]
    cli.run("image", "set", "--property", "os_distro=ubuntu", name)
    shown = cli.json("image", "show", name)
    assert shown["properties"]["os_distro"] == "ubuntu" and shown["size"] == len(data)
    out = tmp_path / "out.img"
    cli.run("image", "save", "--file", str(out), name)
    assert out.read_bytes() == data
    cli.run("image", "delete", name)
    assert name not in [i["Name"] for i in cli.json("image", "list")]


def test_glanceclient_create_upload_download_update_delete(
    twinstack_cloud: CloudHandle, admin: Any, name: str
) -> None:
    glance = GlanceClient("2", session=admin.session)
    img = glance.images.create(
        name=name,
        disk_format="qcow2",
        container_format="bare",
        visibility="private",
        min_disk=0,
        min_ram=0,
        os_distro="cirros",
    )
    assert img["status"] == "queued" and img["os_distro"] == "cirros"
    data = os.urandom(128 * 1024 + 5)
    glance.images.upload(img["id"], io.BytesIO(data))
    shown = glance.images.get(img["id"])
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert b"".join(glance.images.data(img["id"])) == data
    updated = glance.images.update(
        img["id"], name=name + "-2", hw_qemu_guest_agent="yes", remove_props=["os_distro"]
    )
    assert updated["name"] == name + "-2" and updated["hw_qemu_guest_agent"] == "yes"
    assert "os_distro" not in updated
    glance.image_tags.update(img["id"], "t1")
    assert glance.images.get(img["id"])["tags"] == ["t1"]
    assert img["id"] in [i["id"] for i in glance.images.list(filters={"name": name + "-2"})]
    glance.images.deactivate(img["id"])
    glance.images.reactivate(img["id"])
    glance.images.delete(img["id"])
    assert img["id"] not in [i["id"] for i in glance.images.list()]
