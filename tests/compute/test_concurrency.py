"""100 concurrent boots: no host beyond its allocation ratios, no project beyond its quota, no
instance lost (issue 5, item 5)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from twinstack.testing import start_cloud

HOSTS = 3
VCPUS = 4
CPU_RATIO = 2.0  # 8 VCPU per host, 24 in all
QUOTA = 30  # more than fits: 24 boot, 6 find no host, the other 70 are refused


@pytest.fixture()
def small_cloud(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TWINSTACK_COMPUTE_VCPUS", str(VCPUS))
    monkeypatch.setenv("TWINSTACK_COMPUTE_CPU_ALLOCATION_RATIO", str(CPU_RATIO))
    monkeypatch.setenv("TWINSTACK_COMPUTE_LATENCY", "0.01")
    handle = start_cloud(compute_hosts=HOSTS)
    try:
        yield handle
    finally:
        handle.stop()


async def _boot_all(url: str, token: str, image: str, count: int) -> list[httpx.Response]:
    headers = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.37"}
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as c:
        return list(
            await asyncio.gather(
                *(
                    c.post(
                        "/compute/v2.1/servers",
                        json={
                            "server": {
                                "name": f"race-{n}",
                                "flavorRef": "42",
                                "imageRef": image,
                                "networks": "none",
                            }
                        },
                    )
                    for n in range(count)
                )
            )
        )


def test_concurrent_boots_respect_ratios_and_quota(small_cloud: Any) -> None:
    conn = small_cloud.connect()
    token, project = conn.auth_token, conn.current_project_id
    image = next(i.id for i in conn.image.images() if i.name and "cirros" in i.name)
    nova = httpx.Client(
        base_url=small_cloud.url + "/compute/v2.1",
        headers={"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.100"},
        timeout=30,
    )
    r = nova.put(f"/os-quota-sets/{project}", json={"quota_set": {"instances": QUOTA, "cores": QUOTA}})
    assert r.status_code == 200, r.text

    answers = asyncio.run(_boot_all(small_cloud.url, token, image, 100))

    accepted = [r.json()["server"]["id"] for r in answers if r.status_code == 202]
    refused = [r for r in answers if r.status_code != 202]
    assert len(accepted) == QUOTA and len(set(accepted)) == QUOTA
    assert {r.status_code for r in refused} == {403}
    for r in refused:
        assert r.json()["forbidden"]["message"].startswith("Quota exceeded for "), r.text

    deadline = time.monotonic() + 60
    while True:
        servers = nova.get("/servers/detail", params={"limit": 1000}).json()["servers"]
        if not any(s["status"] == "BUILD" for s in servers) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    # none lost, none stuck, nothing beyond the quota
    assert sorted(s["id"] for s in servers) == sorted(accepted)
    statuses = Counter(s["status"] for s in servers)
    capacity = int(HOSTS * VCPUS * CPU_RATIO)
    assert statuses == {"ACTIVE": capacity, "ERROR": QUOTA - capacity}
    for s in servers:
        if s["status"] == "ERROR":
            assert s["fault"]["message"].startswith("No valid host was found."), s["fault"]
    # no host beyond its ratio: as the servers, placement and the hypervisors API see it
    per_host = Counter(s["OS-EXT-SRV-ATTR:host"] for s in servers if s["status"] == "ACTIVE")
    assert len(per_host) == HOSTS and max(per_host.values()) <= VCPUS * CPU_RATIO
    placement = httpx.Client(
        base_url=small_cloud.url + "/placement",
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "placement 1.39"},
        timeout=30,
    )
    for host in per_host:
        rp = placement.get("/resource_providers", params={"name": host}).json()["resource_providers"][0]
        usages = placement.get(f"/resource_providers/{rp['uuid']}/usages").json()["usages"]
        assert usages["VCPU"] == per_host[host] <= VCPUS * CPU_RATIO
    hypervisors = nova.get("/os-hypervisors/detail", headers={"X-OpenStack-Nova-API-Version": "2.27"}).json()
    for hv in hypervisors["hypervisors"]:
        assert hv["vcpus_used"] == per_host[hv["hypervisor_hostname"]]
    usage = nova.get(f"/os-quota-sets/{project}/detail").json()["quota_set"]
    assert usage["instances"] == {"limit": QUOTA, "in_use": QUOTA, "reserved": 0}
    conn.close()
