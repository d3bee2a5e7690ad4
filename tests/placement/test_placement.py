"""Placement over HTTP: providers, inventories, allocations, usages, traits, aggregates, candidates."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest


class Placement:
    def __init__(self, url: str, token: str) -> None:
        self.base = url + "/placement"
        self.token = token

    def __call__(self, method: str, path: str, version: str = "1.39", **kw: Any) -> httpx.Response:
        headers = {"X-Auth-Token": self.token, "OpenStack-API-Version": f"placement {version}"}
        return httpx.request(method, self.base + path, headers=headers, timeout=30, **kw)


@pytest.fixture(scope="module")
def pl(twinstack_cloud: Any, twinstack_conn: Any) -> Placement:
    return Placement(twinstack_cloud.url, twinstack_conn.auth_token)


def _provider(pl: Placement, **inventories: dict[str, Any]) -> str:
    r = pl("POST", "/resource_providers", json={"name": f"rp-{uuid.uuid4().hex[:8]}"})
    assert r.status_code == 200
    rp = r.json()["uuid"]
    if inventories:
        r = pl(
            "PUT",
            f"/resource_providers/{rp}/inventories",
            json={"resource_provider_generation": 0, "inventories": inventories},
        )
        assert r.status_code == 200, r.text
    return rp


def test_discovery_and_microversion_echo(pl: Placement) -> None:
    r = pl("GET", "/", version="1.10")
    assert r.status_code == 200
    version = r.json()["versions"][0]
    assert (version["min_version"], version["max_version"]) == ("1.0", "1.39")
    assert r.headers["openstack-api-version"] == "placement 1.10"
    assert pl("GET", "/", version="1.40").status_code == 406


def test_provider_crud_per_microversion(pl: Placement) -> None:
    name = f"rp-{uuid.uuid4().hex[:8]}"
    r = pl("POST", "/resource_providers", version="1.0", json={"name": name})
    assert r.status_code == 201 and r.content == b""
    assert r.headers["location"].endswith(
        "/placement/resource_providers/" + r.headers["location"].rsplit("/", 1)[1]
    )
    rp = r.headers["location"].rsplit("/", 1)[1]
    old = pl("GET", f"/resource_providers/{rp}", version="1.0").json()
    assert set(old) == {"uuid", "name", "generation", "links"}
    new = pl("GET", f"/resource_providers/{rp}").json()
    assert new["root_provider_uuid"] == rp and new["parent_provider_uuid"] is None
    assert {link["rel"] for link in new["links"]} == {
        "self",
        "inventories",
        "usages",
        "aggregates",
        "traits",
        "allocations",
    }
    dup = pl("POST", "/resource_providers", json={"name": name})
    assert dup.status_code == 409
    error = dup.json()["errors"][0]
    assert error["code"] == "placement.duplicate_name" and error["status"] == 409 and "request_id" in error
    r = pl("PUT", f"/resource_providers/{rp}", json={"name": name + "-renamed"})
    assert r.status_code == 200 and r.json()["name"] == name + "-renamed"
    assert pl("DELETE", f"/resource_providers/{rp}").status_code == 204
    missing = pl("GET", f"/resource_providers/{rp}")
    assert (
        missing.status_code == 404
        and missing.json()["errors"][0]["code"] == "placement.resource_provider.not_found"
    )


def test_inventory_generation_conflict(pl: Placement) -> None:
    rp = _provider(pl, VCPU={"total": 8})
    r = pl(
        "PUT",
        f"/resource_providers/{rp}/inventories",
        json={"resource_provider_generation": 0, "inventories": {"VCPU": {"total": 4}}},
    )
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "placement.concurrent_update"
    r = pl("GET", f"/resource_providers/{rp}/inventories")
    assert r.json() == {
        "inventories": {
            "VCPU": {
                "total": 8,
                "reserved": 0,
                "min_unit": 1,
                "max_unit": 2147483647,
                "step_size": 1,
                "allocation_ratio": 1.0,
            }
        },
        "resource_provider_generation": 1,
    }
    bad = pl(
        "PUT",
        f"/resource_providers/{rp}/inventories",
        json={"resource_provider_generation": 1, "inventories": {"VCPU": {"total": "x"}}},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["detail"].startswith("JSON does not validate")


def test_allocations_capacity_consumer_generation_and_usages(pl: Placement) -> None:
    rp = _provider(pl, VCPU={"total": 2, "allocation_ratio": 2.0}, MEMORY_MB={"total": 1024})
    project = uuid.uuid4().hex
    consumer = str(uuid.uuid4())
    body = {
        "allocations": {rp: {"resources": {"VCPU": 3, "MEMORY_MB": 512}}},
        "project_id": project,
        "user_id": "u1",
        "consumer_generation": None,
        "consumer_type": "INSTANCE",
    }
    assert pl("PUT", f"/allocations/{consumer}", json=body).status_code == 204
    # a new consumer must say consumer_generation null; an existing one its generation
    stale = pl("PUT", f"/allocations/{consumer}", json=body)
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "placement.concurrent_update"
    over = dict(body, consumer_generation=0, allocations={rp: {"resources": {"VCPU": 5, "MEMORY_MB": 512}}})
    r = pl("PUT", f"/allocations/{consumer}", json=over)
    assert r.status_code == 409 and "exceed the capacity" in r.json()["errors"][0]["detail"]
    got = pl("GET", f"/allocations/{consumer}").json()
    assert got["allocations"][rp]["resources"] == {"VCPU": 3, "MEMORY_MB": 512}
    assert got["consumer_generation"] == 0 and got["project_id"] == project
    assert pl("GET", f"/usages?project_id={project}").json() == {
        "usages": {"INSTANCE": {"consumer_count": 1, "VCPU": 3, "MEMORY_MB": 512}}
    }
    assert pl("GET", f"/usages?project_id={project}", version="1.9").json() == {
        "usages": {"VCPU": 3, "MEMORY_MB": 512}
    }
    assert pl("GET", f"/resource_providers/{rp}/usages").json()["usages"] == {"VCPU": 3, "MEMORY_MB": 512}
    assert pl("DELETE", f"/resource_providers/{rp}").status_code == 409
    assert pl("DELETE", f"/allocations/{consumer}").status_code == 204
    assert pl("DELETE", f"/allocations/{consumer}").status_code == 404
    assert pl("GET", f"/resource_providers/{rp}/usages").json()["usages"] == {"VCPU": 0, "MEMORY_MB": 0}


def test_list_form_allocations_before_1_12(pl: Placement) -> None:
    rp = _provider(pl, DISK_GB={"total": 10})
    consumer = str(uuid.uuid4())
    body = {
        "allocations": [{"resource_provider": {"uuid": rp}, "resources": {"DISK_GB": 4}}],
        "project_id": "p",
        "user_id": "u",
    }
    assert pl("PUT", f"/allocations/{consumer}", version="1.8", json=body).status_code == 204
    assert pl("GET", f"/allocations/{consumer}", version="1.8").json() == {
        "allocations": {rp: {"generation": 2, "resources": {"DISK_GB": 4}}}
    }


def test_traits_aggregates_and_candidates(pl: Placement) -> None:
    trait = f"CUSTOM_T{uuid.uuid4().hex[:6].upper()}"
    assert pl("PUT", f"/traits/{trait}").status_code == 201
    assert pl("PUT", f"/traits/{trait}").status_code == 204
    assert pl("PUT", "/traits/NOT_CUSTOM").status_code == 400
    inv = {"VCPU": {"total": 4}, "MEMORY_MB": {"total": 4096}, "DISK_GB": {"total": 100}}
    with_trait = _provider(pl, **inv)
    plain = _provider(pl, **inv)
    small = _provider(pl, VCPU={"total": 1}, MEMORY_MB={"total": 256}, DISK_GB={"total": 1})
    r = pl(
        "PUT",
        f"/resource_providers/{with_trait}/traits",
        json={"traits": [trait], "resource_provider_generation": 1},
    )
    assert r.status_code == 200 and r.json() == {"traits": [trait], "resource_provider_generation": 2}
    agg = str(uuid.uuid4())
    r = pl(
        "PUT",
        f"/resource_providers/{plain}/aggregates",
        json={"aggregates": [agg], "resource_provider_generation": 1},
    )
    assert r.status_code == 200 and r.json()["aggregates"] == [agg]
    assert pl("PUT", f"/resource_providers/{plain}/aggregates", version="1.1", json=[agg]).json() == {
        "aggregates": [agg]
    }

    def candidates(query: str, version: str = "1.39") -> set[str]:
        r = pl(
            "GET", "/allocation_candidates?resources=VCPU:1,MEMORY_MB:512,DISK_GB:1" + query, version=version
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"allocation_requests", "provider_summaries"}
        return set(body["provider_summaries"])

    found = candidates("")
    assert {with_trait, plain} <= found and small not in found
    assert candidates(f"&required={trait}") & {with_trait, plain, small} == {with_trait}
    assert with_trait not in candidates(f"&required=!{trait}")
    assert candidates(f"&member_of={agg}") & {with_trait, plain} == {plain}
    assert len(candidates("&limit=1")) == 1
    r = pl("GET", "/allocation_candidates?resources=VCPU:1&limit=1", version="1.10")
    request = r.json()["allocation_requests"][0]
    assert set(request) == {"allocations"} and isinstance(request["allocations"], list)
    bad = pl("GET", "/allocation_candidates?resources=VCPU-1")
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "placement.query.bad_value"
    assert pl("GET", "/allocation_candidates?resources=VCPU:1", version="1.9").status_code == 404
    listed = pl("GET", f"/resource_providers?required={trait}").json()["resource_providers"]
    assert [p["uuid"] for p in listed] == [with_trait]
    assert pl("GET", f"/traits?name=in:{trait}&associated=true").json() == {"traits": [trait]}


def test_compute_hosts_are_providers(pl: Placement) -> None:
    providers = pl("GET", "/resource_providers?name=compute-1").json()["resource_providers"]
    assert len(providers) == 1
    inv = pl("GET", f"/resource_providers/{providers[0]['uuid']}/inventories").json()["inventories"]
    assert set(inv) == {"VCPU", "MEMORY_MB", "DISK_GB"}
    traits = pl("GET", f"/resource_providers/{providers[0]['uuid']}/traits").json()["traits"]
    assert "COMPUTE_NODE" in traits
