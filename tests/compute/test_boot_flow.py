"""The boot flow as a client sees it: BUILD then ACTIVE, NoValidHost, reschedule, quotas, bad input."""

from __future__ import annotations

import uuid
from typing import Any

from tests.compute.conftest import Nova, boot


def test_boot_shows_build_then_active(nova: Nova, image_id: str) -> None:
    created = boot(nova, image_id, f"flow-{uuid.uuid4().hex[:6]}")
    assert set(created) == {"id", "links", "OS-DCF:diskConfig", "security_groups", "adminPass"}
    server, seen = nova.wait(created["id"], {"ACTIVE"})
    assert seen[0] == "BUILD" and seen[-1] == "ACTIVE" and set(seen) == {"BUILD", "ACTIVE"}
    assert server["OS-EXT-STS:vm_state"] == "active" and server["OS-EXT-STS:power_state"] == 1
    assert server["OS-EXT-SRV-ATTR:host"].startswith("compute-")
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    assert server["OS-SRV-USG:launched_at"] is not None
    actions = nova("GET", f"/servers/{created['id']}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions] == ["create"]
    detail = nova("GET", f"/servers/{created['id']}/os-instance-actions/{actions[0]['request_id']}").json()
    events = {e["event"]: e["result"] for e in detail["instanceAction"]["events"]}
    assert events == {
        "conductor_schedule_and_build_instances": "Success",
        "compute__do_build_and_run_instance": "Success",
    }
    assert nova("DELETE", f"/servers/{created['id']}").status_code == 204
    _, seen = nova.wait(created["id"], set())
    assert seen[-1] == "DELETED"


def test_no_valid_host_is_error_with_fault(nova: Nova, image_id: str) -> None:
    flavor_id = f"huge-{uuid.uuid4().hex[:6]}"
    r = nova(
        "POST",
        "/flavors",
        json={"flavor": {"name": flavor_id, "id": flavor_id, "ram": 4096, "vcpus": 1, "disk": 100000}},
    )
    assert r.status_code == 200, r.text
    try:
        created = boot(nova, image_id, "too-big", flavorRef=flavor_id)
        server, seen = nova.wait(created["id"], {"ERROR"})
        assert server["fault"]["code"] == 500
        assert server["fault"]["message"].startswith("No valid host was found.")
        assert server["OS-EXT-SRV-ATTR:host"] is None
        nova("DELETE", f"/servers/{created['id']}")
    finally:
        nova("DELETE", f"/flavors/{flavor_id}")


def test_spawn_failure_reschedules_then_errors(twinstack_cloud: Any, nova: Nova, image_id: str) -> None:
    config = twinstack_cloud.cloud.service("compute").config
    config.spawn_failure_rate = 1.0
    try:
        created = boot(nova, image_id, "flaky")
        server, _ = nova.wait(created["id"], {"ERROR"})
    finally:
        config.spawn_failure_rate = 0.0
    assert server["fault"]["message"].startswith("Exceeded maximum number of retries.")
    actions = nova("GET", f"/servers/{created['id']}/os-instance-actions").json()["instanceActions"]
    detail = nova("GET", f"/servers/{created['id']}/os-instance-actions/{actions[0]['request_id']}").json()
    builds = [
        e for e in detail["instanceAction"]["events"] if e["event"] == "compute__do_build_and_run_instance"
    ]
    assert builds and all(e["result"] == "Error" for e in builds)
    placement = twinstack_cloud.cloud.service("placement")
    assert placement.get_consumer(created["id"]) is None  # no allocation left behind
    nova("DELETE", f"/servers/{created['id']}")


def test_bad_input_answers_nova_faults(nova: Nova, image_id: str) -> None:
    body = {"server": {"name": "x", "flavorRef": "no-such-flavor", "imageRef": image_id, "networks": "none"}}
    r = nova("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 400 and r.json() == {
        "badRequest": {"code": 400, "message": "Invalid flavorRef provided."}
    }
    body["server"].update(flavorRef="42", imageRef=str(uuid.uuid4()))
    r = nova("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 400 and r.json()["badRequest"]["message"] == "Can not find requested image"
    body["server"].update(imageRef=image_id)
    del body["server"]["networks"]
    assert (
        nova("POST", "/servers", version="2.37", json=body).status_code == 400
    )  # networks required from 2.37
    assert nova("POST", "/servers", version="2.1", json={"server": {"name": ""}}).status_code == 400
    assert nova("GET", "/servers", version="2.101").status_code == 406
    assert nova("GET", "/servers", version="2.x").status_code == 400
    r = nova("GET", f"/servers/{uuid.uuid4()}")
    assert r.status_code == 404 and "itemNotFound" in r.json()
    r = nova("POST", "/servers", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_action_in_wrong_state_is_409(nova: Nova, image_id: str) -> None:
    created = boot(nova, image_id, "conflict")
    nova.wait(created["id"], {"ACTIVE"})
    r = nova("POST", f"/servers/{created['id']}/action", json={"os-start": None})
    assert r.status_code == 409
    assert r.json()["conflictingRequest"]["message"] == (
        f"Cannot 'start' instance {created['id']} while it is in vm_state active"
    )
    r = nova("POST", f"/servers/{created['id']}/action", json={"confirmResize": None})
    assert r.status_code == 409
    nova("DELETE", f"/servers/{created['id']}")


def test_quota_exceeded_is_403(twinstack_conn: Any, nova: Nova, image_id: str) -> None:
    project = twinstack_conn.current_project_id
    nova("PUT", f"/os-quota-sets/{project}", json={"quota_set": {"cores": 1, "force": True}})
    try:
        r = nova(
            "POST",
            "/servers",
            version="2.37",
            json={"server": {"name": "greedy", "flavorRef": "3", "imageRef": image_id, "networks": "none"}},
        )
        assert r.status_code == 403
        assert r.json()["forbidden"]["message"].startswith(
            "Quota exceeded for cores: Requested 2, but already used"
        )
    finally:
        nova("DELETE", f"/os-quota-sets/{project}")


def test_multi_create_and_paging(nova: Nova, image_id: str) -> None:
    tag = uuid.uuid4().hex[:6]
    r = nova(
        "POST",
        "/servers",
        version="2.37",
        json={
            "server": {
                "name": f"many-{tag}",
                "flavorRef": "42",
                "imageRef": image_id,
                "networks": "none",
                "min_count": 3,
                "max_count": 3,
                "return_reservation_id": True,
            }
        },
    )
    assert r.status_code == 202 and r.json()["reservation_id"].startswith("r-")
    reservation = r.json()["reservation_id"]
    listed = nova("GET", f"/servers?reservation_id={reservation}").json()["servers"]
    assert sorted(s["name"] for s in listed) == [f"many-{tag}-1", f"many-{tag}-2", f"many-{tag}-3"]
    for item in listed:
        nova.wait(item["id"], {"ACTIVE"})
    page = nova("GET", f"/servers/detail?reservation_id={reservation}&limit=2").json()
    assert len(page["servers"]) == 2 and page["servers_links"][0]["rel"] == "next"
    rest = nova(
        "GET", f"/servers/detail?reservation_id={reservation}&limit=2&marker={page['servers'][-1]['id']}"
    )
    assert len(rest.json()["servers"]) == 1
    seen = {s["id"] for s in page["servers"]} | {s["id"] for s in rest.json()["servers"]}
    assert seen == {s["id"] for s in listed}
    assert nova("GET", f"/servers?name=^many-{tag}-[12]$").json()["servers"].__len__() == 2
    assert (
        nova("GET", f"/servers?status=ACTIVE&reservation_id={reservation}").json()["servers"].__len__() == 3
    )
    for item in listed:
        nova("DELETE", f"/servers/{item['id']}")


def test_anti_affinity_group_spreads_hosts(nova: Nova, image_id: str) -> None:
    r = nova(
        "POST",
        "/os-server-groups",
        version="2.64",
        json={"server_group": {"name": "spread", "policy": "anti-affinity"}},
    )
    assert r.status_code == 200
    group = r.json()["server_group"]
    assert set(group) == {"id", "name", "policy", "rules", "members", "project_id", "user_id"}
    ids = [boot(nova, image_id, f"aa-{i}", **{})["id"] for i in range(0)]
    for i in range(2):
        body = {
            "server": {"name": f"aa-{i}", "flavorRef": "42", "imageRef": image_id, "networks": "none"},
            "os:scheduler_hints": {"group": group["id"]},
        }
        created = nova("POST", "/servers", version="2.37", json=body)
        assert created.status_code == 202, created.text
        ids.append(created.json()["server"]["id"])
        nova.wait(ids[-1], {"ACTIVE"})
    hosts = {nova.wait(i, {"ACTIVE"})[0]["OS-EXT-SRV-ATTR:host"] for i in ids}
    assert len(hosts) == 2
    shown = nova("GET", f"/os-server-groups/{group['id']}", version="2.64").json()["server_group"]
    assert sorted(shown["members"]) == sorted(ids)
    for i in ids:
        nova("DELETE", f"/servers/{i}")
