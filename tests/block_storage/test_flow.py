"""The create flow of seed 002 (API -> scheduler -> backend manager -> driver), capacity,
quotas under concurrency, failures and a restart mid-create."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
from tests.block_storage.conftest import Cinder

from twinstack.testing import start_cloud


def test_create_goes_creating_then_available_on_a_pool(cinder: Cinder) -> None:
    vol = cinder.create_volume(size=2)
    assert vol["status"] == "creating"
    done = cinder.wait_volume(vol["id"])
    assert done["status"] == "available"
    assert done["os-vol-host-attr:host"] == "twinstack@lvmdriver-1#lvmdriver-1"
    assert done["availability_zone"] == "nova"
    pools = cinder.get("/scheduler-stats/get_pools?detail=true").json()["pools"]
    assert pools[0]["name"] == "twinstack@lvmdriver-1#lvmdriver-1"
    caps = pools[0]["capabilities"]
    assert caps["total_capacity_gb"] == 1000 and caps["provisioned_capacity_gb"] >= 2
    assert cinder.delete(f"/volumes/{vol['id']}").status_code == 202
    cinder.wait_gone(f"/volumes/{vol['id']}")


def test_unmatched_type_ends_in_error(cinder: Cinder) -> None:
    r = cinder.post(
        "/types",
        {
            "volume_type": {
                "name": "t-nowhere-" + os.urandom(3).hex(),
                "extra_specs": {"volume_backend_name": "no-such-backend"},
            }
        },
    )
    assert r.status_code == 200, r.text
    vol = cinder.create_volume(volume_type=r.json()["volume_type"]["id"])
    assert cinder.wait_volume(vol["id"])["status"] == "error"
    assert cinder.delete(f"/volumes/{vol['id']}").status_code == 202
    cinder.wait_gone(f"/volumes/{vol['id']}")


def _small_cloud(tmp_path: Any, **env: str) -> Any:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return start_cloud(
            ephemeral=False, data_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path}/c.sqlite"
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def _burst(url: str, token: str, project: str, count: int, size: int) -> list[httpx.Response]:
    headers = {"X-Auth-Token": token, "OpenStack-API-Version": "volume 3.0"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        return await asyncio.gather(
            *[
                client.post(
                    f"{url}/volume/v3/{project}/volumes", json={"volume": {"size": size, "name": f"b{i}"}}
                )
                for i in range(count)
            ]
        )


def test_concurrent_creates_never_overcommit_backend_or_quota(tmp_path: Any) -> None:
    backends = '[{"name": "small", "total_capacity_gb": 10, "thin_provisioning": false}]'
    handle = _small_cloud(
        tmp_path, TWINSTACK_VOLUME_BACKENDS=backends, TWINSTACK_VOLUME_CREATE_LATENCY="0.05"
    )
    try:
        conn = handle.connect()
        project = conn.current_project_id
        c = Cinder(handle, conn.auth_token, project)
        assert c.put(f"/os-quota-sets/{project}", {"quota_set": {"volumes": 8}}).status_code == 200
        answers = asyncio.run(_burst(handle.url, conn.auth_token, project, 20, 3))
        accepted = [r.json()["volume"]["id"] for r in answers if r.status_code == 202]
        refused = [r for r in answers if r.status_code == 413]
        assert len(accepted) == 8 and len(refused) == 12
        body = refused[0].json()["overLimit"]
        assert body["code"] == 413 and body["retryAfter"] == "0"
        assert body["message"] == "Maximum number of volumes allowed (8) exceeded for quota 'volumes'."
        statuses = [c.wait_volume(v)["status"] for v in accepted]
        # 10 GiB thick: three 3 GiB volumes fit, the others find no valid backend
        assert statuses.count("available") == 3 and statuses.count("error") == 5
        pool = c.get("/scheduler-stats/get_pools?detail=true").json()["pools"][0]["capabilities"]
        assert pool["provisioned_capacity_gb"] == 9 and pool["free_capacity_gb"] == 1
        conn.close()
    finally:
        handle.stop()


def test_restart_mid_create_leaves_no_volume_creating(tmp_path: Any) -> None:
    handle = _small_cloud(tmp_path, TWINSTACK_VOLUME_CREATE_LATENCY="30")
    conn = handle.connect()
    project = conn.current_project_id
    c = Cinder(handle, conn.auth_token, project)
    ids = [c.create_volume()["id"] for _ in range(3)]
    assert {c.get(f"/volumes/{i}").json()["volume"]["status"] for i in ids} == {"creating"}
    conn.close()
    handle.stop()
    again = _small_cloud(tmp_path, TWINSTACK_VOLUME_CREATE_LATENCY="0")
    try:
        conn = again.connect()
        c = Cinder(again, conn.auth_token, project)
        statuses = {c.get(f"/volumes/{i}").json()["volume"]["status"] for i in ids}
        assert statuses <= {"available", "error"}
        # and the error ones can be deleted
        for i in ids:
            assert c.delete(f"/volumes/{i}").status_code == 202
            c.wait_gone(f"/volumes/{i}")
        conn.close()
    finally:
        again.stop()


def test_injected_driver_failures_reschedule_then_error(twinstack_cloud: Any, cinder: Cinder) -> None:
    service = twinstack_cloud.cloud.service("block_storage")
    service.set_behaviour(create_failure_probability=1.0)
    try:
        vol = cinder.create_volume()
        assert cinder.wait_volume(vol["id"])["status"] == "error"
    finally:
        service.set_behaviour(create_failure_probability=0.0)
    assert cinder.delete(f"/volumes/{vol['id']}").status_code == 202
