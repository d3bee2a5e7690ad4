"""The v3 attachments flow (what nova drives), multiattach, and in-use rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tests.block_storage.conftest import Cinder, check_keys

CONNECTOR = {
    "initiator": "iqn.1993-08.org.debian:01:cad181614cec",
    "ip": "192.168.1.20",
    "platform": "x86_64",
    "host": "compute-1",
    "os_type": "linux",
    "multipath": False,
    "mountpoint": "/dev/vdb",
}


def _status(c: Cinder, vid: str) -> tuple[str, str]:
    vol = c.get(f"/volumes/{vid}").json()["volume"]
    return vol["status"], vol["attachments"]


def test_reserve_update_complete_delete(cinder: Cinder) -> None:
    c = cinder.at("3.44")
    vid = c.create_volume()["id"]
    c.wait_volume(vid)
    server = str(uuid.uuid4())
    r = c.post("/attachments", {"attachment": {"volume_uuid": vid, "instance_uuid": server}})
    assert r.status_code == 200, r.text
    att = r.json()["attachment"]
    check_keys(
        att,
        {
            "id",
            "status",
            "instance",
            "volume_id",
            "attached_at",
            "detached_at",
            "attach_mode",
            "connection_info",
        },
    )
    assert att["status"] == "reserved" and _status(c, vid)[0] == "reserved"
    # a second reserve of a non-multiattach volume for another server is refused
    r = c.post("/attachments", {"attachment": {"volume_uuid": vid, "instance_uuid": str(uuid.uuid4())}})
    assert r.status_code == 400 and "to reserve, but the current status is reserved" in r.text
    r = c.put(f"/attachments/{att['id']}", {"attachment": {"connector": CONNECTOR}})
    assert r.status_code == 200
    updated = r.json()["attachment"]
    assert updated["status"] == "attaching" and updated["connection_info"]["driver_volume_type"] == "iscsi"
    assert updated["attach_mode"] == "rw"
    assert _status(c, vid)[0] == "attaching"
    assert c.post(f"/attachments/{att['id']}/action", {"os-complete": None}).status_code == 204
    status, attachments = _status(c, vid)
    assert status == "in-use"
    assert attachments[0]["server_id"] == server and attachments[0]["attachment_id"] == att["id"]
    check_keys(
        attachments[0],
        {"server_id", "attachment_id", "host_name", "volume_id", "device", "id"},
        {"attached_at"},
    )
    assert attachments[0]["device"] == "/dev/vdb"
    # in use: no delete, no plain extend before 3.42... but yes at 3.42+
    r = c.delete(f"/volumes/{vid}")
    assert r.status_code == 400 and "must not be migrating, attached" in r.json()["badRequest"]["message"]
    listed = c.get(f"/attachments?volume_id={vid}").json()["attachments"]
    assert [a["id"] for a in listed] == [att["id"]]
    r = c.delete(f"/attachments/{att['id']}")
    assert r.status_code == 200 and r.json() == {"attachments": []}
    assert _status(c, vid) == ("available", [])
    assert c.get(f"/attachments/{att['id']}").status_code == 404
    assert c.delete(f"/volumes/{vid}").status_code == 202


def test_service_interface_for_nova(twinstack_cloud: Any, cinder: Cinder) -> None:
    import asyncio

    from twinstack.core.context import RequestContext

    service = twinstack_cloud.cloud.service("block_storage")
    vid = cinder.create_volume()["id"]
    cinder.wait_volume(vid)
    ctx = RequestContext(request_id="req-test", user_id="u", project_id=cinder.project_id, roles=["member"])
    server = str(uuid.uuid4())
    att = service.attachment_create(ctx, vid, server)
    assert service.get_volume(ctx, vid)["status"] == "reserved"
    future = asyncio.run_coroutine_threadsafe(
        service.attachment_update(ctx, att["id"], CONNECTOR), _loop(twinstack_cloud)
    )
    assert future.result(10)["attach_status"] == "attaching"
    service.attachment_complete(ctx, att["id"])
    assert service.get_volume(ctx, vid)["status"] == "in-use"
    asyncio.run_coroutine_threadsafe(
        service.attachment_delete(ctx, att["id"]), _loop(twinstack_cloud)
    ).result(10)
    assert service.get_volume(ctx, vid)["status"] == "available"
    cinder.delete(f"/volumes/{vid}")


def _loop(handle: Any) -> Any:
    return handle.cloud.service("block_storage").loop


@pytest.fixture()
def multiattach_type(cinder: Cinder) -> str:
    name = "multi-" + uuid.uuid4().hex[:6]
    r = cinder.post("/types", {"volume_type": {"name": name, "extra_specs": {"multiattach": "<is> True"}}})
    assert r.status_code == 200
    return name


def test_multiattach(cinder: Cinder, multiattach_type: str) -> None:
    c = cinder.at("3.50")
    vol = c.create_volume(volume_type=multiattach_type)
    assert vol["multiattach"] is True
    vid = vol["id"]
    c.wait_volume(vid)
    ids = []
    for host in ("compute-1", "compute-2"):
        att = c.post(
            "/attachments",
            {
                "attachment": {
                    "volume_uuid": vid,
                    "instance_uuid": str(uuid.uuid4()),
                    "connector": {**CONNECTOR, "host": host},
                }
            },
        ).json()["attachment"]
        assert att["status"] == "attaching"
        assert c.post(f"/attachments/{att['id']}/action", {"os-complete": None}).status_code == 204
        ids.append(att["id"])
    status, attachments = _status(c, vid)
    assert status == "in-use" and len(attachments) == 2
    left = c.delete(f"/attachments/{ids[0]}").json()["attachments"]
    assert [a["id"] for a in left] == [ids[1]]
    assert _status(c, vid)[0] == "in-use"
    c.delete(f"/attachments/{ids[1]}")
    assert _status(c, vid)[0] == "available"
    c.delete(f"/volumes/{vid}")


def test_legacy_attach_detach_actions(cinder: Cinder) -> None:
    vid = cinder.create_volume()["id"]
    cinder.wait_volume(vid)
    assert cinder.post(f"/volumes/{vid}/action", {"os-reserve": None}).status_code == 202
    assert _status(cinder, vid)[0] == "attaching"
    r = cinder.post(
        f"/volumes/{vid}/action",
        {"os-attach": {"instance_uuid": str(uuid.uuid4()), "mountpoint": "/dev/vdc"}},
    )
    assert r.status_code == 202 and _status(cinder, vid)[0] == "in-use"
    assert cinder.post(f"/volumes/{vid}/action", {"os-begin_detaching": None}).status_code == 202
    assert _status(cinder, vid)[0] == "detaching"
    assert cinder.post(f"/volumes/{vid}/action", {"os-detach": {}}).status_code == 202
    assert _status(cinder, vid) == ("available", [])
    cinder.delete(f"/volumes/{vid}")
