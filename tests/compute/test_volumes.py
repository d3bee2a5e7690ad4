"""Nova's volume side: boot from volume, os-volume_attachments, volumes released on delete."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from tests.compute.conftest import Nova


class Cinder:
    def __init__(self, url: str, token: str, project: str) -> None:
        self.base = f"{url}/volume/v3/{project}"
        self.client = httpx.Client(timeout=30, headers={"X-Auth-Token": token})

    def create(self, size: int = 1) -> str:
        r = self.client.post(
            self.base + "/volumes", json={"volume": {"size": size, "name": "v-" + uuid.uuid4().hex[:6]}}
        )
        assert r.status_code == 202, r.text
        return str(r.json()["volume"]["id"])

    def status(self, volume_id: str) -> str | None:
        r = self.client.get(f"{self.base}/volumes/{volume_id}")
        return None if r.status_code == 404 else str(r.json()["volume"]["status"])

    def wait(self, volume_id: str, wanted: str | None, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while (status := self.status(volume_id)) != wanted:
            assert time.monotonic() < deadline, f"volume {volume_id} is {status}, not {wanted}"
            time.sleep(0.01)


def _cinder(twinstack_cloud: Any, twinstack_conn: Any) -> Cinder:
    return Cinder(twinstack_cloud.url, twinstack_conn.auth_token, twinstack_conn.current_project_id)


def test_boot_from_image_volume_and_delete_on_termination(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    cinder = _cinder(twinstack_cloud, twinstack_conn)
    bdm = {
        "boot_index": 0,
        "uuid": image_id,
        "source_type": "image",
        "destination_type": "volume",
        "volume_size": 1,
        "delete_on_termination": True,
    }
    body = {
        "server": {"name": "bfv", "flavorRef": "42", "networks": "none", "block_device_mapping_v2": [bdm]}
    }
    r = nova("POST", "/servers", version="2.79", json=body)
    assert r.status_code == 202, r.text
    sid = r.json()["server"]["id"]
    server, _ = nova.wait(sid, {"ACTIVE"})
    attached = server["os-extended-volumes:volumes_attached"]
    assert len(attached) == 1 and attached[0]["delete_on_termination"] is True
    assert server["image"] == ""
    boot_volume = attached[0]["id"]
    assert cinder.status(boot_volume) == "in-use"
    listed = nova("GET", f"/servers/{sid}/os-volume_attachments", version="2.89").json()["volumeAttachments"]
    assert listed[0]["volumeId"] == boot_volume and listed[0]["device"] == "/dev/vda"
    assert set(listed[0]) == {
        "serverId",
        "volumeId",
        "device",
        "tag",
        "delete_on_termination",
        "attachment_id",
        "bdm_uuid",
    }
    r = nova("DELETE", f"/servers/{sid}/os-volume_attachments/{boot_volume}")
    assert r.status_code == 400  # the root volume stays
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
    cinder.wait(boot_volume, None)  # deleted with the server


def test_attach_detach_and_release_on_delete(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    cinder = _cinder(twinstack_cloud, twinstack_conn)
    kept, extra = cinder.create(), cinder.create()
    cinder.wait(kept, "available")
    cinder.wait(extra, "available")
    r = nova(
        "POST",
        "/servers",
        version="2.37",
        json={"server": {"name": "att", "flavorRef": "42", "imageRef": image_id, "networks": "none"}},
    )
    sid = r.json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    r = nova("POST", f"/servers/{sid}/os-volume_attachments", json={"volumeAttachment": {"volumeId": kept}})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "volumeAttachment": {"id": kept, "serverId": sid, "volumeId": kept, "device": "/dev/vdb"}
    }
    assert cinder.status(kept) == "in-use"
    again = nova(
        "POST", f"/servers/{sid}/os-volume_attachments", json={"volumeAttachment": {"volumeId": kept}}
    )
    assert again.status_code == 400
    missing = nova(
        "POST",
        f"/servers/{sid}/os-volume_attachments",
        json={"volumeAttachment": {"volumeId": str(uuid.uuid4())}},
    )
    assert missing.status_code == 404
    r = nova("POST", f"/servers/{sid}/os-volume_attachments", json={"volumeAttachment": {"volumeId": extra}})
    assert r.json()["volumeAttachment"]["device"] == "/dev/vdc"
    shown = nova("GET", f"/servers/{sid}").json()["server"]["os-extended-volumes:volumes_attached"]
    assert {v["id"] for v in shown} == {kept, extra}
    assert nova("DELETE", f"/servers/{sid}/os-volume_attachments/{extra}").status_code == 202
    assert cinder.status(extra) == "available"
    assert nova("GET", f"/servers/{sid}/os-volume_attachments/{extra}").status_code == 404
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
    cinder.wait(kept, "available")  # detached, not deleted (delete_on_termination false)
    for volume in (kept, extra):
        assert cinder.client.delete(f"{cinder.base}/volumes/{volume}").status_code == 202


def test_boot_from_missing_volume_is_400(nova: Nova) -> None:
    bdm = {"boot_index": 0, "uuid": str(uuid.uuid4()), "source_type": "volume", "destination_type": "volume"}
    body = {
        "server": {"name": "nov", "flavorRef": "42", "networks": "none", "block_device_mapping_v2": [bdm]}
    }
    r = nova("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 400 and "Block Device Mapping is Invalid" in r.json()["badRequest"]["message"]


def test_boot_from_non_bootable_volume_is_refused_before_anything_exists(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any
) -> None:
    cinder = _cinder(twinstack_cloud, twinstack_conn)
    volume = cinder.create()  # a blank volume: bootable "false"
    cinder.wait(volume, "available")
    name = "nb-" + uuid.uuid4().hex[:6]
    bdm = {"boot_index": "0", "uuid": volume, "source_type": "volume", "destination_type": "volume"}
    body = {"server": {"name": name, "flavorRef": "42", "networks": "none", "block_device_mapping_v2": [bdm]}}
    r = nova("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 400, r.text
    assert r.json() == {"badRequest": {"code": 400, "message": f"Block Device {volume} is not bootable."}}
    assert nova("GET", f"/servers?name={name}").json()["servers"] == []
    assert cinder.status(volume) == "available"
    # once cinder marks it bootable, the same request boots
    r = cinder.client.post(
        f"{cinder.base}/volumes/{volume}/action", json={"os-set_bootable": {"bootable": True}}
    )
    assert r.status_code == 200, r.text
    r = nova("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 202, r.text
    sid = r.json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    assert cinder.status(volume) == "in-use"
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
    cinder.wait(volume, "available")
    assert cinder.client.delete(f"{cinder.base}/volumes/{volume}").status_code == 202


def test_attach_and_detach_on_a_shelved_offloaded_server(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    """nova completes the attachment without a host: the volume is in-use at once, the server
    unshelves with it, and a detach while offloaded frees it."""
    cinder = _cinder(twinstack_cloud, twinstack_conn)
    body = {"server": {"name": "shv", "flavorRef": "42", "imageRef": image_id, "networks": "none"}}
    sid = nova("POST", "/servers", version="2.37", json=body).json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    assert nova("POST", f"/servers/{sid}/action", json={"shelve": None}).status_code == 202
    server, _ = nova.wait(sid, {"SHELVED_OFFLOADED"})
    assert server["OS-EXT-SRV-ATTR:host"] is None
    volume, other = cinder.create(), cinder.create()
    for v in (volume, other):
        cinder.wait(v, "available")
    attach = {"volumeAttachment": {"volumeId": volume}}
    r = nova("POST", f"/servers/{sid}/os-volume_attachments", version="2.19", json=attach)
    assert r.status_code == 409, r.text  # shelved servers take attachments from 2.20
    tagged = {"volumeAttachment": {"volumeId": volume, "tag": "t"}}
    r = nova("POST", f"/servers/{sid}/os-volume_attachments", version="2.49", json=tagged)
    assert r.status_code == 400, r.text
    for v in (volume, other):
        attach = {"volumeAttachment": {"volumeId": v}}
        r = nova("POST", f"/servers/{sid}/os-volume_attachments", version="2.20", json=attach)
        assert r.status_code == 200, r.text
        assert cinder.status(v) == "in-use"  # no wait: attached when the API answers
    r = nova("DELETE", f"/servers/{sid}/os-volume_attachments/{other}", version="2.20")
    assert r.status_code == 202, r.text
    cinder.wait(other, "available")
    assert nova("POST", f"/servers/{sid}/action", json={"unshelve": None}).status_code == 202
    nova.wait(sid, {"ACTIVE"})
    r = nova("GET", f"/servers/{sid}/os-volume_attachments/{volume}", version="2.20")
    assert r.status_code == 200, r.text
    shown = r.json()["volumeAttachment"]
    assert shown["serverId"] == sid and shown["device"]
    assert cinder.status(volume) == "in-use"
    r = nova("DELETE", f"/servers/{sid}/os-volume_attachments/{volume}")
    assert r.status_code == 202, r.text
    cinder.wait(volume, "available")
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
    for v in (volume, other):
        assert cinder.client.delete(f"{cinder.base}/volumes/{v}").status_code == 202
