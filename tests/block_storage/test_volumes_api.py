"""Cinder v3 volume bodies per microversion (tempest's schemas), lists, actions, bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tests.block_storage.conftest import Cinder, check_keys

BASE_REQUIRED = {
    "attachments",
    "links",
    "encrypted",
    "updated_at",
    "replication_status",
    "id",
    "size",
    "user_id",
    "availability_zone",
    "metadata",
    "status",
    "description",
    "multiattach",
    "consistencygroup_id",
    "name",
    "bootable",
    "created_at",
    "volume_type",
    "snapshot_id",
    "source_volid",
}
SHOW_OPTIONAL = {
    "migration_status",
    "os-vol-host-attr:host",
    "os-vol-tenant-attr:tenant_id",
    "os-vol-mig-status-attr:migstat",
    "os-vol-mig-status-attr:name_id",
    "volume_image_metadata",
    "group_id",
    "provider_id",
    "service_uuid",
    "shared_targets",
}
CREATE_OPTIONAL = {"migration_status", "group_id", "provider_id", "service_uuid", "shared_targets"}


@pytest.mark.parametrize(
    "version,extra",
    [
        ("3.0", set()),
        ("3.61", {"cluster_name"}),
        ("3.63", {"cluster_name", "volume_type_id"}),
        ("3.71", {"cluster_name", "volume_type_id", "encryption_key_id", "consumes_quota"}),
    ],
)
def test_volume_bodies_match_tempest_schemas(cinder: Cinder, version: str, extra: set[str]) -> None:
    c = cinder.at(version)
    r = c.post("/volumes", {"volume": {"size": 1, "name": "schema-" + version, "metadata": {"k": "v"}}})
    assert r.status_code == 202
    assert r.headers["OpenStack-API-Version"] == f"volume {version}"
    created = r.json()["volume"]
    check_keys(created, BASE_REQUIRED, CREATE_OPTIONAL | extra)
    assert created["bootable"] == "false" and created["metadata"] == {"k": "v"}
    assert created["volume_type"] == "__DEFAULT__"
    c.wait_volume(created["id"])
    shown = c.get(f"/volumes/{created['id']}").json()["volume"]
    check_keys(shown, BASE_REQUIRED, SHOW_OPTIONAL | extra)
    assert shown["status"] == "available"
    assert shown["os-vol-host-attr:host"].count("@") == 1 and "#" in shown["os-vol-host-attr:host"]
    detail = c.get("/volumes/detail").json()
    check_keys(detail, {"volumes"}, {"volumes_links", "count"})
    for item in detail["volumes"]:
        check_keys(item, BASE_REQUIRED, SHOW_OPTIONAL | extra)
    for item in c.get("/volumes").json()["volumes"]:
        check_keys(item, {"id", "name", "links"})
    updated = c.put(f"/volumes/{created['id']}", {"volume": {"name": "renamed"}})
    assert updated.status_code == 200
    check_keys(updated.json()["volume"], BASE_REQUIRED, CREATE_OPTIONAL | extra)
    assert c.delete(f"/volumes/{created['id']}").status_code == 202


def test_project_less_urls_and_wrong_project(cinder: Cinder) -> None:
    url = f"{cinder.cloud.url}/volume/v3/volumes"
    assert cinder.at("3.67").get(url).status_code == 200
    r = cinder.get(f"{cinder.cloud.url}/volume/v3/{uuid.uuid4().hex}/volumes")
    assert r.status_code == 400 and r.json()["badRequest"]["message"] == "Malformed request url"


def test_list_filters_sort_paging_count(cinder: Cinder) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = [
        cinder.create_volume(name=f"page-{tag}-{i}", size=i + 1, metadata={"tag": tag})["id"]
        for i in range(5)
    ]
    for i in ids:
        cinder.wait_volume(i)
    c = cinder.at("3.45")
    meta = f"metadata={{'tag': '{tag}'}}"
    r = c.get(f"/volumes/detail?{meta}&sort=size:asc&limit=2&with_count=true").json()
    assert [v["size"] for v in r["volumes"]] == [1, 2] and r["count"] == 5
    nxt = r["volumes_links"][0]
    assert nxt["rel"] == "next" and "marker=" in nxt["href"]
    r2 = c.get(nxt["href"]).json()
    assert [v["size"] for v in r2["volumes"]] == [3, 4]
    assert [v["name"] for v in c.get(f"/volumes?name=page-{tag}-3").json()["volumes"]] == [f"page-{tag}-3"]
    assert c.get(f"/volumes?sort_key=size&sort_dir=desc&{meta}").json()["volumes"][0]["id"] == ids[-1]
    assert c.get("/volumes?marker=" + str(uuid.uuid4())).status_code == 404
    summary = c.at("3.36").get(f"/volumes/summary?{meta}").json()["volume-summary"]
    assert (
        summary["total_count"] == 5 and summary["total_size"] == 15 and summary["metadata"] == {"tag": [tag]}
    )
    for i in ids:
        cinder.delete(f"/volumes/{i}")


@pytest.mark.parametrize("size", [0, -1, "abc", 1.5, "0"])
def test_bad_sizes_are_400(cinder: Cinder, size: object) -> None:
    r = cinder.post("/volumes", {"volume": {"size": size}})
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"badRequest"} and r.json()["badRequest"]["code"] == 400


def test_bad_references(cinder: Cinder) -> None:
    r = cinder.post("/volumes", {"volume": {"size": 1, "volume_type": "no-such-type"}})
    assert r.status_code == 404 and "no-such-type" in r.json()["itemNotFound"]["message"]
    snap = str(uuid.uuid4())
    r = cinder.post("/volumes", {"volume": {"size": 1, "snapshot_id": snap}})
    assert (
        r.status_code == 404 and r.json()["itemNotFound"]["message"] == f"Snapshot {snap} could not be found."
    )
    r = cinder.post("/volumes", {"volume": {"size": 1, "source_volid": snap}})
    assert r.status_code == 404
    r = cinder.post("/volumes", {"volume": {"size": 1, "imageRef": str(uuid.uuid4())}})
    assert r.status_code == 400
    r = cinder.post("/volumes", {"volume": {"size": 1, "availability_zone": "mars"}})
    assert (
        r.status_code == 400 and r.json()["badRequest"]["message"] == "Availability zone 'mars' is invalid."
    )
    r = cinder.post("/volumes", {"volume": {"size": 1, "snapshot_id": "not-a-uuid"}})
    assert r.status_code == 400
    missing = str(uuid.uuid4())
    r = cinder.get(f"/volumes/{missing}")
    assert r.status_code == 404 and r.json() == {
        "itemNotFound": {"code": 404, "message": f"Volume {missing} could not be found."}
    }


def test_actions_and_invalid_transitions(cinder: Cinder) -> None:
    c = cinder.at("3.42")
    vol = c.create_volume(size=1)
    assert c.post(f"/volumes/{vol['id']}/action", {"os-extend": {"new_size": 2}}).status_code in (202, 400)
    vid = vol["id"]
    c.wait_volume(vid)
    r = c.post(f"/volumes/{vid}/action", {"os-extend": {"new_size": 1}})
    assert r.status_code == 400 and "New size for extend must be greater" in r.json()["badRequest"]["message"]
    assert c.post(f"/volumes/{vid}/action", {"os-extend": {"new_size": 3}}).status_code == 202
    assert c.wait_volume(vid)["size"] == 3
    assert c.post(f"/volumes/{vid}/action", {"os-set_bootable": {"bootable": True}}).status_code == 200
    assert c.get(f"/volumes/{vid}").json()["volume"]["bootable"] == "true"
    assert (
        c.post(f"/volumes/{vid}/action", {"os-update_readonly_flag": {"readonly": True}}).status_code == 202
    )
    assert c.post(f"/volumes/{vid}/action", {"os-reset_status": {"status": "error"}}).status_code == 202
    assert c.get(f"/volumes/{vid}").json()["volume"]["status"] == "error"
    r = c.post(f"/volumes/{vid}/action", {"os-extend": {"new_size": 5}})
    assert r.status_code == 400 and "to extend, currently error" in r.json()["badRequest"]["message"]
    assert c.post(f"/volumes/{vid}/action", {"os-reset_status": {"status": "bogus"}}).status_code == 400
    assert c.post(f"/volumes/{vid}/action", {"os-no_such": {}}).status_code == 400
    assert c.post(f"/volumes/{vid}/action", {"os-reset_status": {"status": "available"}}).status_code == 202
    # metadata and image metadata
    assert c.put(f"/volumes/{vid}/metadata", {"metadata": {"a": "1", "b": "2"}}).json() == {
        "metadata": {"a": "1", "b": "2"}
    }
    assert c.put(f"/volumes/{vid}/metadata/a", {"meta": {"a": "9"}}).json() == {"meta": {"a": "9"}}
    assert c.get(f"/volumes/{vid}/metadata/a").json() == {"meta": {"a": "9"}}
    assert c.delete(f"/volumes/{vid}/metadata/a").status_code == 200
    assert c.get(f"/volumes/{vid}/metadata/a").status_code == 404
    r = c.post(f"/volumes/{vid}/action", {"os-set_image_metadata": {"metadata": {"os_distro": "cirros"}}})
    assert r.status_code == 200 and r.json() == {"metadata": {"os_distro": "cirros"}}
    assert c.get(f"/volumes/{vid}").json()["volume"]["volume_image_metadata"] == {"os_distro": "cirros"}
    assert (
        c.post(f"/volumes/{vid}/action", {"os-unset_image_metadata": {"key": "os_distro"}}).status_code == 200
    )
    # snapshot blocks delete; cascade removes both
    snap = c.post("/snapshots", {"snapshot": {"volume_id": vid, "name": "s"}}).json()["snapshot"]
    assert c.wait_snapshot(snap["id"])["status"] == "available"
    r = c.delete(f"/volumes/{vid}")
    assert r.status_code == 400 and r.json()["badRequest"]["message"].startswith(
        "Invalid volume: Volume status"
    )
    assert c.delete(f"/volumes/{vid}?cascade=true").status_code == 202
    c.wait_gone(f"/volumes/{vid}")
    assert c.get(f"/snapshots/{snap['id']}").status_code == 404


def test_from_snapshot_and_clone_and_retype(cinder: Cinder) -> None:
    src = cinder.create_volume(size=2)
    cinder.wait_volume(src["id"])
    snap = cinder.post("/snapshots", {"snapshot": {"volume_id": src["id"]}}).json()["snapshot"]
    cinder.wait_snapshot(snap["id"])
    r = cinder.post("/volumes", {"volume": {"size": 1, "snapshot_id": snap["id"]}})
    assert (
        r.status_code == 400
        and "cannot be smaller than the snapshot size" in r.json()["badRequest"]["message"]
    )
    from_snap = cinder.create_volume(snapshot_id=snap["id"], size=None)
    clone = cinder.create_volume(source_volid=src["id"], size=3)
    assert cinder.wait_volume(from_snap["id"])["size"] == 2
    assert cinder.wait_volume(clone["id"])["source_volid"] == src["id"]
    name = "rt-" + uuid.uuid4().hex[:6]
    cinder.post("/types", {"volume_type": {"name": name}})
    assert cinder.post(f"/volumes/{clone['id']}/action", {"os-retype": {"new_type": name}}).status_code == 202
    assert cinder.wait_volume(clone["id"])["volume_type"] == name
    for v in (from_snap, clone):
        cinder.delete(f"/volumes/{v['id']}")
    cinder.delete(f"/volumes/{src['id']}?cascade=true")


def test_quota_body_and_limits(cinder: Cinder) -> None:
    r = cinder.get(f"/os-quota-sets/{cinder.project_id}?usage=true")
    q = r.json()["quota_set"]
    for res in (
        "volumes",
        "snapshots",
        "backups",
        "groups",
        "per_volume_gigabytes",
        "gigabytes",
        "backup_gigabytes",
    ):
        check_keys(q[res], {"reserved", "limit", "in_use"}, {"allocated"})
    r = cinder.post("/volumes", {"volume": {"size": 100000}})
    assert r.status_code == 413
    assert r.json()["overLimit"]["message"].startswith(
        "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 100000G, quota is 1000G"
    )
    assert r.headers["Retry-After"] == "0"
    absolute = cinder.get("/limits").json()["limits"]["absolute"]
    assert absolute["maxTotalVolumes"] == 10 or absolute["maxTotalVolumes"] >= 0


def test_rally_cleanup_and_misc_endpoints(cinder: Cinder) -> None:
    for path in (
        "/backups/detail",
        "/snapshots/detail",
        "/os-volume-transfer/detail",
        "/os-availability-zone",
        "/types",
        "/extensions",
        "/os-services",
        "/limits",
    ):
        assert cinder.get(path).status_code == 200, path
    azs = cinder.get("/os-availability-zone").json()["availabilityZoneInfo"]
    assert azs == [{"zoneName": "nova", "zoneState": {"available": True}}]
    assert cinder.get("/groups").status_code == 501
    assert cinder.get("/attachments").status_code == 404  # before 3.27


def test_volume_from_image_becomes_bootable_when_available(cinder: Cinder, twinstack_conn: Any) -> None:
    image = twinstack_conn.image.find_image("cirros-0.6.2-x86_64-disk")
    created = cinder.create_volume(imageRef=image.id)
    assert created["status"] == "creating" and created["bootable"] == "false"  # cinder sets it when done
    done = cinder.wait_volume(created["id"])
    assert done["status"] == "available" and done["bootable"] == "true"
    assert cinder.delete(f"/volumes/{created['id']}").status_code == 202
