"""Types (access, extra specs), snapshots, backups, transfers, services, QoS via openstacksdk
and raw HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from tests.block_storage.conftest import Cinder, check_keys

TYPE_KEYS = {"name", "is_public", "description", "id"}


def test_volume_types_private_access_and_specs(cinder: Cinder, twinstack_conn: Any) -> None:
    name = "priv-" + uuid.uuid4().hex[:6]
    r = cinder.post(
        "/types",
        {
            "volume_type": {
                "name": name,
                "os-volume-type-access:is_public": False,
                "extra_specs": {"storage_protocol": "iSCSI"},
            }
        },
    )
    assert r.status_code == 200
    vtype = r.json()["volume_type"]
    check_keys(vtype, TYPE_KEYS | {"os-volume-type-access:is_public"}, {"extra_specs"})
    assert cinder.post("/types", {"volume_type": {"name": name}}).status_code == 409
    tid = vtype["id"]
    shown = cinder.get(f"/types/{tid}").json()["volume_type"]
    check_keys(shown, TYPE_KEYS, {"extra_specs", "os-volume-type-access:is_public", "qos_specs_id"})
    assert cinder.post(
        f"/types/{tid}/extra_specs", {"extra_specs": {"vendor_name": "Open Source"}}
    ).json() == {"extra_specs": {"vendor_name": "Open Source"}}
    assert cinder.get(f"/types/{tid}/extra_specs/vendor_name").json() == {"vendor_name": "Open Source"}
    assert cinder.get(f"/types/{tid}/extra_specs/nope").status_code == 404
    project = uuid.uuid4().hex
    assert cinder.post(f"/types/{tid}/action", {"addProjectAccess": {"project": project}}).status_code == 202
    access = cinder.get(f"/types/{tid}/os-volume-type-access").json()["volume_type_access"]
    assert access == [{"volume_type_id": tid, "project_id": project}]
    # the type's specs match the fake backend: a volume of this type lands
    vol = cinder.create_volume(volume_type=name)
    assert cinder.wait_volume(vol["id"])["status"] == "available"
    assert cinder.delete(f"/types/{tid}").status_code == 400  # in use
    cinder.delete(f"/volumes/{vol['id']}")
    cinder.wait_gone(f"/volumes/{vol['id']}")
    assert cinder.delete(f"/types/{tid}").status_code == 202
    default = cinder.get("/types/default").json()["volume_type"]
    assert default["name"] == "__DEFAULT__"
    assert twinstack_conn.block_storage.find_type("__DEFAULT__").id == default["id"]


def test_snapshots_backups_transfers(cinder: Cinder, twinstack_conn: Any) -> None:
    conn = twinstack_conn
    vol = conn.block_storage.create_volume(size=1, name="res-" + uuid.uuid4().hex[:6])
    conn.block_storage.wait_for_status(vol, "available", interval=0.05, wait=20)
    snap = conn.block_storage.create_snapshot(volume_id=vol.id, name="snap", metadata={"a": "b"})
    snap = conn.block_storage.wait_for_status(snap, "available", interval=0.05, wait=20)
    detail = cinder.get("/snapshots/detail").json()["snapshots"]
    mine = next(s for s in detail if s["id"] == snap.id)
    check_keys(
        mine,
        {
            "status",
            "description",
            "created_at",
            "metadata",
            "name",
            "volume_id",
            "id",
            "size",
            "updated_at",
            "os-extended-snapshot-attributes:progress",
            "os-extended-snapshot-attributes:project_id",
        },
    )
    assert mine["os-extended-snapshot-attributes:progress"] == "100%"
    r = cinder.post("/snapshots", {"snapshot": {"volume_id": str(uuid.uuid4())}})
    assert r.status_code == 404
    conn.block_storage.delete_snapshot(snap)
    conn.block_storage.wait_for_delete(snap, interval=0.05, wait=20)

    backup = conn.block_storage.create_backup(volume_id=vol.id, name="bk")
    backup = conn.block_storage.wait_for_status(backup, "available", interval=0.05, wait=20)
    shown = cinder.get(f"/backups/{backup.id}").json()["backup"]
    check_keys(
        shown,
        {
            "status",
            "object_count",
            "fail_reason",
            "links",
            "created_at",
            "updated_at",
            "name",
            "volume_id",
            "size",
            "id",
            "data_timestamp",
        },
        {
            "container",
            "description",
            "availability_zone",
            "has_dependent_backups",
            "is_incremental",
            "snapshot_id",
        },
    )
    r = cinder.post(f"/backups/{backup.id}/restore", {"restore": {"name": "restored"}})
    assert r.status_code == 202
    restored = r.json()["restore"]
    assert restored["backup_id"] == backup.id
    cinder.wait_volume(restored["volume_id"])
    conn.block_storage.wait_for_status(
        conn.block_storage.get_backup(backup.id), "available", interval=0.05, wait=20
    )
    conn.block_storage.delete_backup(backup)
    conn.block_storage.wait_for_delete(backup, interval=0.05, wait=20)
    cinder.delete(f"/volumes/{restored['volume_id']}")

    r = cinder.post("/os-volume-transfer", {"transfer": {"volume_id": vol.id, "name": "xfer"}})
    assert r.status_code == 202
    transfer = r.json()["transfer"]
    check_keys(transfer, {"auth_key", "links", "created_at", "volume_id", "id", "name"})
    assert cinder.get(f"/volumes/{vol.id}").json()["volume"]["status"] == "awaiting-transfer"
    r = cinder.post(f"/os-volume-transfer/{transfer['id']}/accept", {"accept": {"auth_key": "wrong"}})
    assert r.status_code == 400
    r = cinder.post(
        f"/os-volume-transfer/{transfer['id']}/accept", {"accept": {"auth_key": transfer["auth_key"]}}
    )
    assert r.status_code == 202
    check_keys(r.json()["transfer"], {"links", "volume_id", "id", "name"})
    assert cinder.get(f"/volumes/{vol.id}").json()["volume"]["status"] == "available"
    cinder.delete(f"/volumes/{vol.id}")


def test_services_and_qos(cinder: Cinder) -> None:
    services = cinder.get("/os-services").json()["services"]
    binaries = {s["binary"] for s in services}
    assert {"cinder-scheduler", "cinder-volume", "cinder-backup"} <= binaries
    for s in services:
        check_keys(
            s,
            {"binary", "disabled_reason", "host", "state", "status", "updated_at", "zone"},
            {"frozen", "replication_status", "active_backend_id", "backend_state", "cluster"},
        )
    r = cinder.put("/os-services/disable", {"host": "twinstack@lvmdriver-1", "binary": "cinder-volume"})
    assert r.status_code == 200 and r.json()["status"] == "disabled"
    vol = cinder.create_volume()
    assert cinder.wait_volume(vol["id"])["status"] == "error"  # no enabled backend
    cinder.put("/os-services/enable", {"host": "twinstack@lvmdriver-1", "binary": "cinder-volume"})
    cinder.delete(f"/volumes/{vol['id']}")
    r = cinder.post(
        "/qos-specs", {"qos_specs": {"name": "q-" + uuid.uuid4().hex[:6], "read_iops_sec": "100"}}
    )
    assert r.status_code == 200
    qos = r.json()["qos_specs"]
    assert qos["specs"] == {"read_iops_sec": "100"} and qos["consumer"] == "back-end"
    assert cinder.delete(f"/qos-specs/{qos['id']}").status_code == 202
