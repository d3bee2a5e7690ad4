"""Server lists reuse a rendered page only while nothing changed: a rename, a port's new security
group or a new server shows at the very next list, and a page equals what ``show`` says."""

from __future__ import annotations

import uuid
from typing import Any

from tests.compute.conftest import Nova, boot


def _detail(nova: Nova, name: str) -> list[dict[str, Any]]:
    r = nova("GET", "/servers/detail", version="2.100", params={"name": f"^{name}"})
    assert r.status_code == 200
    return list(r.json()["servers"])


def test_list_follows_compute_and_network_writes(
    twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    nova = Nova(twinstack_cloud.url, twinstack_conn.auth_token)
    prefix = f"lc-{uuid.uuid4().hex[:6]}"
    private = twinstack_conn.network.find_network("private")
    server = boot(nova, image_id, f"{prefix}-a", networks=[{"uuid": private.id}])
    nova.wait(server["id"], {"ACTIVE"})

    first = _detail(nova, prefix)
    assert [s["name"] for s in first] == [f"{prefix}-a"]
    assert _detail(nova, prefix) == first  # unchanged: the same answer again
    shown = nova("GET", f"/servers/{server['id']}", version="2.100").json()["server"]
    for key in ("addresses", "security_groups", "status", "OS-EXT-SRV-ATTR:host", "updated"):
        assert first[0][key] == shown[key], key
    assert first[0]["addresses"]["private"], "the port's fixed IP is listed"

    # a compute write
    r = nova("PUT", f"/servers/{server['id']}", version="2.100", json={"server": {"name": f"{prefix}-b"}})
    assert r.status_code == 200
    assert [s["name"] for s in _detail(nova, prefix)] == [f"{prefix}-b"]

    # a network write: the port moves to another security group
    group = twinstack_conn.network.create_security_group(name=f"{prefix}-sg")
    try:
        port = next(twinstack_conn.network.ports(device_id=server["id"]))
        twinstack_conn.network.update_port(port, security_group_ids=[group.id])
        listed = _detail(nova, prefix)[0]
        assert listed["security_groups"] == [{"name": f"{prefix}-sg"}]
        shown = nova("GET", f"/servers/{server['id']}", version="2.100").json()["server"]
        assert listed["security_groups"] == shown["security_groups"]

        # a new server
        other = boot(nova, image_id, f"{prefix}-c")
        assert {s["id"] for s in _detail(nova, prefix)} == {server["id"], other["id"]}
        assert nova("DELETE", f"/servers/{other['id']}").status_code == 204
        nova.wait_gone(other["id"])
        assert [s["id"] for s in _detail(nova, prefix)] == [server["id"]]
    finally:
        assert nova("DELETE", f"/servers/{server['id']}").status_code == 204
        nova.wait_gone(server["id"])
        twinstack_conn.network.delete_security_group(group)
