"""The issue's ``openstack`` CLI sequence, asserting the states a user sees after each command."""

from __future__ import annotations

import uuid
from typing import Any

from tests.compute.conftest import Nova, boot


def _image_name(twinstack_conn: Any, image_id: str) -> str:
    return str(twinstack_conn.image.get_image(image_id).name)


def test_cli_create_resize_rebuild_shelve_delete(
    cli: Any, nova: Nova, twinstack_conn: Any, image_id: str
) -> None:
    name = f"cli-{uuid.uuid4().hex[:6]}"
    key = f"k-{name}"
    cli.run("keypair", "create", key)
    server = cli.json(
        "server",
        "create",
        "--flavor",
        "m1.tiny",
        "--image",
        _image_name(twinstack_conn, image_id),
        "--nic",
        "none",
        "--key-name",
        key,
        "--wait",
        name,
    )
    assert server["status"] == "ACTIVE" and server["key_name"] == key
    sid = server["id"]
    listed = {s["Name"]: s for s in cli.json("server", "list", "--long")}
    assert listed[name]["Status"] == "ACTIVE" and listed[name]["Power State"] in (1, "Running")
    assert listed[name]["Availability Zone"] == "nova"
    shown = cli.json("server", "show", name)
    assert shown["OS-EXT-SRV-ATTR:host"].startswith("compute-") and shown["flavor"]["name"] == "m1.tiny"

    cli.run("server", "reboot", "--hard", name)
    _, seen = nova.wait(sid, {"ACTIVE"})
    assert set(seen) <= {"HARD_REBOOT", "ACTIVE"}
    cli.run("server", "stop", name)
    assert nova.wait(sid, {"SHUTOFF"})[0]["OS-EXT-STS:power_state"] == 4
    cli.run("server", "start", name)
    nova.wait(sid, {"ACTIVE"})

    cli.run("server", "resize", "--flavor", "m1.small", name)
    _, seen = nova.wait(sid, {"VERIFY_RESIZE"})
    assert set(seen) <= {"ACTIVE", "RESIZE", "VERIFY_RESIZE"}
    cli.run("server", "resize", "confirm", name)
    assert nova.wait(sid, {"ACTIVE"})[0]["flavor"]["original_name"] == "m1.small"
    cli.run("server", "resize", "--flavor", "m1.medium", name)
    nova.wait(sid, {"VERIFY_RESIZE"})
    cli.run("server", "resize", "revert", name)
    reverted, seen = nova.wait(sid, {"ACTIVE"})
    assert reverted["flavor"]["original_name"] == "m1.small"
    assert set(seen) <= {"VERIFY_RESIZE", "REVERT_RESIZE", "ACTIVE"}

    cli.run("server", "rebuild", "--image", image_id, name)
    _, seen = nova.wait(sid, {"ACTIVE"})
    assert set(seen) <= {"REBUILD", "ACTIVE"}

    cli.run("server", "shelve", name)
    shelved, _ = nova.wait(sid, {"SHELVED_OFFLOADED"})
    assert shelved["OS-EXT-SRV-ATTR:host"] is None
    cli.run("server", "unshelve", name)
    assert nova.wait(sid, {"ACTIVE"})[0]["OS-EXT-SRV-ATTR:host"].startswith("compute-")

    cli.run("server", "delete", name)
    assert nova.wait(sid, set())[1][-1] == "DELETED"
    cli.run("keypair", "delete", key)


def test_cli_lock_pause_suspend_rescue_migrate_snapshot(
    cli: Any, nova: Nova, twinstack_conn: Any, image_id: str
) -> None:
    name = f"cli2-{uuid.uuid4().hex[:6]}"
    sid = boot(nova, image_id, name)["id"]
    source = nova.wait(sid, {"ACTIVE"})[0]["OS-EXT-SRV-ATTR:host"]

    cli.run("server", "lock", name)
    assert nova("GET", f"/servers/{sid}", version="2.9").json()["server"]["locked"] is True
    cli.run("server", "unlock", name)

    cli.run("server", "pause", name)
    assert nova.wait(sid, {"PAUSED"})[0]["OS-EXT-STS:power_state"] == 3
    cli.run("server", "unpause", name)
    nova.wait(sid, {"ACTIVE"})
    cli.run("server", "suspend", name)
    nova.wait(sid, {"SUSPENDED"})
    cli.run("server", "resume", name)
    nova.wait(sid, {"ACTIVE"})
    cli.run("server", "rescue", name)
    nova.wait(sid, {"RESCUE"})
    cli.run("server", "unrescue", name)
    nova.wait(sid, {"ACTIVE"})

    cli.run("server", "migrate", name)
    migrated, _ = nova.wait(sid, {"VERIFY_RESIZE"})
    assert migrated["OS-EXT-SRV-ATTR:host"] != source
    cli.run("server", "migrate", "confirm", name)
    nova.wait(sid, {"ACTIVE"})

    snap = f"snap-{name}"
    cli.run("server", "image", "create", "--name", snap, "--wait", name)
    image = twinstack_conn.image.find_image(snap)
    assert image is not None and image.status == "active"
    assert image.properties.get("instance_uuid") == sid or getattr(image, "instance_uuid", None) == sid

    hypervisors = cli.json("hypervisor", "list")
    assert {"compute-1", "compute-2"} <= {h["Hypervisor Hostname"] for h in hypervisors}
    cli.run(
        "compute",
        "service",
        "set",
        "--disable",
        "--disable-reason",
        "maintenance",
        "compute-2",
        "nova-compute",
    )
    try:
        services = cli.json("compute", "service", "list", "--service", "nova-compute")
        assert {s["Host"]: s["Status"] for s in services}["compute-2"] == "disabled"
    finally:
        cli.run("compute", "service", "set", "--enable", "compute-2", "nova-compute")
    nova("DELETE", f"/servers/{sid}")
    twinstack_conn.image.delete_image(image)
