"""The issue's ``openstack`` CLI commands, asserting the states a user sees after each command.

Split into small tests (pytest-xdist spreads them). The CLI runs the user-facing commands, in
process (``osc``: the real shell without a process start per call) and once as the executable;
raw HTTP does the setup and the undo steps.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.compute.conftest import InProcessCLI, Nova, boot


def _active(nova: Nova, image_id: str, prefix: str) -> tuple[str, str, dict[str, Any]]:
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    sid = boot(nova, image_id, name)["id"]
    return name, sid, nova.wait(sid, {"ACTIVE"})[0]


def _act(nova: Nova, sid: str, body: dict[str, Any]) -> None:
    r = nova("POST", f"/servers/{sid}/action", json=body)
    assert r.status_code in (200, 202, 204), r.text


def test_cli_create_list_show_delete(
    cli: Any, osc: InProcessCLI, nova: Nova, twinstack_conn: Any, image_id: str
) -> None:
    name = f"cli-{uuid.uuid4().hex[:6]}"
    key = f"k-{name}"
    osc.run("keypair", "create", key)
    image_name = str(twinstack_conn.image.get_image(image_id).name)
    server = osc.json(
        "server", "create", "--flavor", "m1.tiny", "--image", image_name, "--nic", "none",
        "--key-name", key, "--wait", name,
    )  # fmt: skip
    assert server["status"] == "ACTIVE" and server["key_name"] == key
    listed = {s["Name"]: s for s in cli.json("server", "list", "--long")}  # the executable itself
    assert listed[name]["Status"] == "ACTIVE" and listed[name]["Power State"] in (1, "Running")
    assert listed[name]["Availability Zone"] == "nova"
    shown = osc.json("server", "show", name)
    assert shown["OS-EXT-SRV-ATTR:host"].startswith("compute-") and shown["flavor"]["name"] == "m1.tiny"
    osc.run("server", "delete", name)  # (--wait polls every 5 s; the test polls faster)
    _, seen = nova.wait(server["id"], set())
    assert seen[-1] == "DELETED"
    assert nova("DELETE", f"/os-keypairs/{key}").status_code == 202


def test_cli_reboot_stop_start_rebuild(osc: InProcessCLI, nova: Nova, image_id: str) -> None:
    name, sid, _ = _active(nova, image_id, "cli-power")
    osc.run("server", "reboot", "--hard", name)
    _, seen = nova.wait(sid, {"ACTIVE"})
    assert set(seen) <= {"HARD_REBOOT", "ACTIVE"}
    osc.run("server", "stop", name)
    assert nova.wait(sid, {"SHUTOFF"})[0]["OS-EXT-STS:power_state"] == 4
    _act(nova, sid, {"os-start": None})
    nova.wait(sid, {"ACTIVE"})
    osc.run("server", "rebuild", "--image", image_id, name)
    _, seen = nova.wait(sid, {"ACTIVE"})
    assert set(seen) <= {"REBUILD", "ACTIVE"}
    nova("DELETE", f"/servers/{sid}")


def test_cli_resize_confirm_revert(osc: InProcessCLI, nova: Nova, image_id: str) -> None:
    name, sid, _ = _active(nova, image_id, "cli-resize")
    osc.run("server", "resize", "--flavor", "m1.small", name)
    _, seen = nova.wait(sid, {"VERIFY_RESIZE"})
    assert set(seen) <= {"ACTIVE", "RESIZE", "VERIFY_RESIZE"}
    osc.run("server", "resize", "confirm", name)
    assert nova.wait(sid, {"ACTIVE"})[0]["flavor"]["original_name"] == "m1.small"
    _act(nova, sid, {"resize": {"flavorRef": "3"}})  # m1.medium
    nova.wait(sid, {"VERIFY_RESIZE"})
    osc.run("server", "resize", "revert", name)
    reverted, seen = nova.wait(sid, {"ACTIVE"})
    assert reverted["flavor"]["original_name"] == "m1.small"
    assert set(seen) <= {"VERIFY_RESIZE", "REVERT_RESIZE", "ACTIVE"}
    nova("DELETE", f"/servers/{sid}")


def test_cli_shelve_unshelve(osc: InProcessCLI, nova: Nova, image_id: str) -> None:
    name, sid, _ = _active(nova, image_id, "cli-shelve")
    osc.run("server", "shelve", name)
    shelved, _ = nova.wait(sid, {"SHELVED_OFFLOADED"})
    assert shelved["OS-EXT-SRV-ATTR:host"] is None
    osc.run("server", "unshelve", name)
    assert nova.wait(sid, {"ACTIVE"})[0]["OS-EXT-SRV-ATTR:host"].startswith("compute-")
    nova("DELETE", f"/servers/{sid}")


def test_cli_lock_pause_suspend_rescue(osc: InProcessCLI, nova: Nova, image_id: str) -> None:
    name, sid, _ = _active(nova, image_id, "cli-states")
    osc.run("server", "lock", "--reason", "audit", name)
    shown = nova("GET", f"/servers/{sid}", version="2.73").json()["server"]
    assert shown["locked"] is True and shown["locked_reason"] == "audit"
    _act(nova, sid, {"unlock": None})
    osc.run("server", "pause", name)
    assert nova.wait(sid, {"PAUSED"})[0]["OS-EXT-STS:power_state"] == 3
    _act(nova, sid, {"unpause": None})
    nova.wait(sid, {"ACTIVE"})
    osc.run("server", "suspend", name)
    assert nova.wait(sid, {"SUSPENDED"})[0]["OS-EXT-STS:power_state"] == 7
    _act(nova, sid, {"resume": None})
    nova.wait(sid, {"ACTIVE"})
    osc.run("server", "rescue", name)
    nova.wait(sid, {"RESCUE"})
    _act(nova, sid, {"unrescue": None})
    nova.wait(sid, {"ACTIVE"})
    nova("DELETE", f"/servers/{sid}")


def test_cli_migrate_and_live_migrate(osc: InProcessCLI, nova: Nova, image_id: str) -> None:
    name, sid, server = _active(nova, image_id, "cli-move")
    source = server["OS-EXT-SRV-ATTR:host"]
    osc.run("server", "migrate", name)
    migrated, _ = nova.wait(sid, {"VERIFY_RESIZE"})
    assert migrated["OS-EXT-SRV-ATTR:host"] != source
    _act(nova, sid, {"confirmResize": None})
    moved = nova.wait(sid, {"ACTIVE"})[0]["OS-EXT-SRV-ATTR:host"]
    osc.run("server", "migrate", "--live-migration", name)
    live, seen = nova.wait(sid, {"ACTIVE"})
    assert live["OS-EXT-SRV-ATTR:host"] != moved and set(seen) <= {"MIGRATING", "ACTIVE"}
    nova("DELETE", f"/servers/{sid}")


def test_cli_snapshot_lands_in_glance(
    osc: InProcessCLI, nova: Nova, twinstack_conn: Any, image_id: str
) -> None:
    name, sid, _ = _active(nova, image_id, "cli-snap")
    snap = f"snap-{name}"
    osc.run("server", "image", "create", "--name", snap, name)
    image = twinstack_conn.image.find_image(snap)
    assert image is not None and image.status in ("queued", "saving", "active")
    image = twinstack_conn.image.wait_for_status(image, "active", interval=0.05, wait=20)
    assert image.properties.get("instance_uuid") == sid or getattr(image, "instance_uuid", None) == sid
    nova("DELETE", f"/servers/{sid}")
    twinstack_conn.image.delete_image(image)


def test_cli_hypervisors_and_service_disable(osc: InProcessCLI, nova: Nova) -> None:
    hypervisors = osc.json("hypervisor", "list")
    assert {"compute-1", "compute-2"} <= {h["Hypervisor Hostname"] for h in hypervisors}
    osc.run(
        "compute", "service", "set", "--disable", "--disable-reason", "maintenance",
        "compute-2", "nova-compute",
    )  # fmt: skip
    services = nova("GET", "/os-services?binary=nova-compute", version="2.53").json()["services"]
    disabled = next(s for s in services if s["host"] == "compute-2")
    r = nova("PUT", f"/os-services/{disabled['id']}", version="2.53", json={"status": "enabled"})
    assert r.status_code == 200, r.text
    assert (disabled["status"], disabled["disabled_reason"]) == ("disabled", "maintenance")
