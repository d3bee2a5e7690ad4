"""Nova's volume proxies (os-volumes, os-snapshots until 2.35, os-assisted-volume-snapshots) over
block storage: bodies as Tempest's schemas (compute/v2_1/volumes.py, snapshots.py) expect them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.compute.conftest import Nova
from tests.compute.test_volumes import _cinder

VOLUME_KEYS = {
    "id", "status", "displayName", "availabilityZone", "createdAt", "displayDescription",
    "volumeType", "snapshotId", "metadata", "size", "attachments",
}  # fmt: skip
SNAPSHOT_KEYS = {"id", "volumeId", "status", "size", "createdAt", "displayName", "displayDescription"}


def _wait(nova: Nova, path: str, key: str, status: str | None, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = nova("GET", path)
        if status is None and r.status_code == 404:
            return {}
        assert r.status_code == 200, r.text
        body = r.json()[key]
        if body["status"] == status:
            return dict(body)
        assert time.monotonic() < deadline, f"{path} is {body['status']}, not {status}"
        time.sleep(0.01)


def _check_volume(vol: dict[str, Any]) -> None:
    assert set(vol) == VOLUME_KEYS, vol
    assert isinstance(vol["size"], int) and isinstance(vol["metadata"], dict)
    assert isinstance(vol["createdAt"], str) and "T" in vol["createdAt"]
    for attachment in vol["attachments"]:
        assert set(attachment) <= {"id", "device", "volumeId", "serverId"}


def test_os_volumes_create_show_list_delete(nova: Nova) -> None:
    name = "pv-" + uuid.uuid4().hex[:6]
    body = {"volume": {"size": 1, "display_name": name, "display_description": "d", "metadata": {"k": "v"}}}
    r = nova("POST", "/os-volumes", json=body)
    assert r.status_code == 200, r.text
    assert r.headers["location"].endswith("/os-volumes/" + r.json()["volume"]["id"])
    vol = r.json()["volume"]
    _check_volume(vol)
    assert vol["displayName"] == name and vol["metadata"] == {"k": "v"} and vol["attachments"] == [{}]
    vid = vol["id"]
    shown = _wait(nova, f"/os-volumes/{vid}", "volume", "available")
    _check_volume(shown)
    assert shown["displayDescription"] == "d" and shown["availabilityZone"]
    for path in ("/os-volumes", "/os-volumes/detail"):
        listed = nova("GET", path).json()["volumes"]
        assert vid in [v["id"] for v in listed]
        for v in listed:
            _check_volume(v)
    # nova's limit/offset paging
    everything = [v["id"] for v in nova("GET", "/os-volumes").json()["volumes"]]
    if len(everything) > 1:
        page = nova("GET", "/os-volumes?offset=1&limit=1").json()["volumes"]
        assert [v["id"] for v in page] == everything[1:2]
    assert nova("GET", "/os-volumes?limit=x").status_code == 400
    # gone from 2.36, as every proxy API
    assert nova("GET", f"/os-volumes/{vid}", version="2.36").status_code == 404
    assert nova("DELETE", f"/os-volumes/{vid}").status_code == 202
    _wait(nova, f"/os-volumes/{vid}", "volume", None)


def test_os_volumes_bad_input(nova: Nova) -> None:
    missing = str(uuid.uuid4())
    for method, path in (("GET", f"/os-volumes/{missing}"), ("DELETE", f"/os-volumes/{missing}")):
        r = nova(method, path)
        assert r.status_code == 404, r.text
        assert r.json()["itemNotFound"]["message"] == f"Volume {missing} could not be found."
    assert nova("DELETE", "/os-volumes/invalid-id").status_code == 404
    for method in ("GET", "DELETE"):  # an empty id is no route (not the collection)
        assert nova(method, "/os-volumes/").status_code == 404
        assert nova(method, "/os-snapshots/").status_code == 404
    for size in ("#$%", "", "0", 0):
        r = nova("POST", "/os-volumes", json={"volume": {"size": size}})
        assert r.status_code == 400, (size, r.text)
        assert "badRequest" in r.json()
    r = nova("POST", "/os-volumes", json={"volume": {"size": 1, "snapshot_id": missing}})
    assert r.status_code == 404 and "could not be found" in r.text


def test_os_snapshots_create_show_list_delete(nova: Nova) -> None:
    vid = nova("POST", "/os-volumes", json={"volume": {"size": 1}}).json()["volume"]["id"]
    _wait(nova, f"/os-volumes/{vid}", "volume", "available")
    name = "ps-" + uuid.uuid4().hex[:6]
    r = nova("POST", "/os-snapshots", json={"snapshot": {"volume_id": vid, "display_name": name}})
    assert r.status_code == 200, r.text
    snap = r.json()["snapshot"]
    assert set(snap) == SNAPSHOT_KEYS and snap["volumeId"] == vid and snap["displayName"] == name
    sid = snap["id"]
    shown = _wait(nova, f"/os-snapshots/{sid}", "snapshot", "available")
    assert set(shown) == SNAPSHOT_KEYS and shown["size"] == 1
    for path in ("/os-snapshots", "/os-snapshots/detail"):
        assert sid in [s["id"] for s in nova("GET", path).json()["snapshots"]]
    r = nova("POST", "/os-snapshots", json={"snapshot": {"volume_id": vid, "force": "maybe"}})
    assert r.status_code == 400
    assert nova("DELETE", f"/os-snapshots/{sid}").status_code == 202
    _wait(nova, f"/os-snapshots/{sid}", "snapshot", None)
    assert nova("DELETE", f"/os-snapshots/{sid}").status_code == 404
    assert nova("DELETE", f"/os-volumes/{vid}").status_code == 202


def test_assisted_volume_snapshots(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    cinder = _cinder(twinstack_cloud, twinstack_conn)
    vid = cinder.create()
    cinder.wait(vid, "available")
    info = {"snapshot_id": str(uuid.uuid4()), "type": "qcow2", "new_file": "new_file"}
    body = {"snapshot": {"volume_id": vid, "create_info": info}}
    r = nova("POST", "/os-assisted-volume-snapshots", json=body)
    assert r.status_code == 400 and r.json()["badRequest"]["message"] == (
        f"No volume Block Device Mapping with id {vid}."
    )
    server = {"server": {"name": "avs", "flavorRef": "42", "imageRef": image_id, "networks": "none"}}
    sid = nova("POST", "/servers", version="2.37", json=server).json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    r = nova("POST", f"/servers/{sid}/os-volume_attachments", json={"volumeAttachment": {"volumeId": vid}})
    assert r.status_code == 200, r.text
    cinder.wait(vid, "in-use")
    r = nova("POST", "/os-assisted-volume-snapshots", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"snapshot": {"id": None, "volumeId": vid}}
    bad = dict(body, snapshot=dict(body["snapshot"], create_info=dict(info, type="raw")))
    assert nova("POST", "/os-assisted-volume-snapshots", json=bad).status_code == 400
    delete_info = json.dumps({"volume_id": vid})
    r = nova("DELETE", "/os-assisted-volume-snapshots/x", params={"delete_info": delete_info})
    assert r.status_code == 204, r.text
    assert nova("DELETE", "/os-assisted-volume-snapshots/x").status_code == 400
    assert nova("DELETE", f"/servers/{sid}/os-volume_attachments/{vid}").status_code == 202
    cinder.wait(vid, "available")
    nova("DELETE", f"/servers/{sid}")
