"""Compute benchmarks (issue 5, item 8). Run: ``python benchmarks/bench_compute.py [--quick]``.

Measures, against clouds on 127.0.0.1 only, bounded in count and time:
1. scheduler decision time at 10,000 hosts (select_destinations, in process), p50/p99;
2. boots per second to ACTIVE over HTTP with 1,000 fake hosts, clients polling like Rally;
   server-side create-to-ACTIVE latency p50/p99 (created_at -> launched_at);
3. ``GET /servers/detail?limit=100`` requests per second with 10,000 servers in the database;
4. resident memory with 10,000 hosts and 100,000 instances (records + placement allocations).
Writes ``benchmarks/results/compute.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

QUICK = "--quick" in sys.argv
POLL_INTERVAL = 1.0  # rally polls nova every 2 s after 1 s; 1 s here


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def start(hosts: int, latency: float) -> Any:
    os.environ["TWINSTACK_COMPUTE_HOSTS"] = str(hosts)
    os.environ["TWINSTACK_COMPUTE_LATENCY"] = str(latency)
    from twinstack.testing import start_cloud

    return start_cloud()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_scheduler(hosts: int, runs: int) -> dict[str, Any]:
    from twinstack.core.context import RequestContext

    t0 = time.perf_counter()
    handle = start(hosts, 0.0)
    boot_s = time.perf_counter() - t0
    try:
        cloud = handle.cloud
        scheduler = cloud.service("compute").scheduler
        flavor = {
            "vcpus": 1,
            "memory_mb": 512,
            "root_gb": 1,
            "ephemeral_gb": 0,
            "swap": 0,
            "extra_specs": {},
            "flavorid": "1",
            "name": "m1.tiny",
        }
        ctx = RequestContext.admin_context()
        placement = cloud.service("placement")
        times = []
        for _ in range(runs):
            spec = {
                "project_id": "bench",
                "user_id": "bench",
                "flavor": flavor,
                "image": {},
                "num_instances": 1,
            }
            consumer = str(uuid.uuid4())
            t = time.perf_counter()
            scheduler.select_destinations(ctx, spec, [consumer])
            times.append((time.perf_counter() - t) * 1000)
            placement.replace_allocations({consumer: {"allocations": {}}})
        return {
            "hosts": hosts,
            "cloud_start_s": round(boot_s, 2),
            "decisions": runs,
            "p50_ms": round(pct(times, 0.5), 3),
            "p99_ms": round(pct(times, 0.99), 3),
            "target_p50_ms": 5,
        }
    finally:
        handle.stop()


async def _boot_load(url: str, token: str, image: str, duration: float, concurrency: int) -> dict[str, Any]:
    headers = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.37"}
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    done: list[float] = []
    errors: list[str] = []
    ids: list[str] = []
    deadline = time.monotonic() + duration
    async with httpx.AsyncClient(
        base_url=url + "/compute/v2.1", headers=headers, limits=limits, timeout=60
    ) as c:

        async def worker(n: int) -> None:
            i = 0
            while time.monotonic() < deadline:
                i += 1
                t = time.monotonic()
                r = await c.post(
                    "/servers",
                    json={
                        "server": {
                            "name": f"b{n}-{i}",
                            "flavorRef": "42",
                            "imageRef": image,
                            "networks": "none",
                        }
                    },
                )
                if r.status_code != 202:
                    errors.append(f"create {r.status_code} {r.text[:100]}")
                    continue
                sid = r.json()["server"]["id"]
                ids.append(sid)
                while True:
                    await asyncio.sleep(POLL_INTERVAL)
                    s = (await c.get(f"/servers/{sid}")).json()["server"]
                    if s["status"] == "ACTIVE":
                        done.append(time.monotonic() - t)
                        break
                    if s["status"] == "ERROR":
                        errors.append(f"ERROR {s.get('fault')}")
                        break

        started = time.monotonic()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.monotonic() - started
    return {
        "active": len(done),
        "errors": len(errors),
        "error_samples": errors[:3],
        "seconds": round(elapsed, 1),
        "boots_per_s": round(len(done) / elapsed, 1),
        "client_p50_s": round(pct(done, 0.5), 3),
        "client_p99_s": round(pct(done, 0.99), 3),
        "ids": ids,
    }


def bench_boots(hosts: int, duration: float, concurrency: int) -> dict[str, Any]:
    handle = start(hosts, 0.005)
    try:
        conn = handle.connect()
        image = next(i for i in conn.image.images() if "cirros" in (i.name or "")).id
        # quotas off for the bench project, as devstack's fake driver setup does
        project = conn.current_project_id
        httpx.put(
            handle.url + f"/compute/v2.1/os-quota-sets/{project}",
            headers={"X-Auth-Token": conn.auth_token},
            json={"quota_set": {"instances": -1, "cores": -1, "ram": -1}},
        )
        result = asyncio.run(_boot_load(handle.url, conn.auth_token, image, duration, concurrency))
        from sqlalchemy import select

        from twinstack.services.compute import models as m

        with handle.cloud.db.begin() as db:
            rows = db.execute(
                select(m.instances.c.created_at, m.instances.c.launched_at).where(
                    m.instances.c.launched_at.is_not(None)
                )
            ).all()
        server_side = [(b - a).total_seconds() * 1000 for a, b in rows]
        result.pop("ids")
        result.update(
            {
                "hosts": hosts,
                "concurrency": concurrency,
                "server_p50_ms": round(pct(server_side, 0.5), 1),
                "server_p99_ms": round(pct(server_side, 0.99), 1),
                "target_boots_per_s": 100,
                "note": "driver latency 5 ms per step; server_* = created_at -> launched_at",
            }
        )
        return result
    finally:
        handle.stop()


def _insert_instances(cloud: Any, count: int, project: str, user: str, with_allocations: bool) -> None:
    from sqlalchemy import insert

    from twinstack.services.compute import models as m
    from twinstack.services.placement.state import Consumer

    now = datetime.now(UTC)
    flavor = {
        "flavorid": "42",
        "name": "m1.nano",
        "memory_mb": 192,
        "vcpus": 1,
        "root_gb": 1,
        "ephemeral_gb": 0,
        "swap": 0,
        "rxtx_factor": 1.0,
        "is_public": True,
        "disabled": False,
        "description": None,
        "extra_specs": {},
    }
    hosts = cloud.service("compute").host_names()
    placement = cloud.service("placement")
    nodes = {p.name: p for p in placement.providers.values()}
    batch = []
    for i in range(count):
        host = hosts[i % len(hosts)]
        iid = str(uuid.uuid4())
        batch.append(
            {
                "id": iid,
                "project_id": project,
                "user_id": user,
                "display_name": f"s{i}",
                "hostname": f"s{i}",
                "image_ref": "img",
                "image_meta": {},
                "flavor": flavor,
                "vcpus": 1,
                "memory_mb": 192,
                "root_gb": 1,
                "vm_state": "active",
                "task_state": None,
                "power_state": 1,
                "host": host,
                "node": host,
                "availability_zone": "nova",
                "metadata": {},
                "system_metadata": {},
                "tags": [],
                "locked": False,
                "config_drive": "",
                "reservation_id": "r-bench",
                "launch_index": 0,
                "progress": 0,
                "security_groups": ["default"],
                "block_device_mapping": [],
                "scheduler_hints": {},
                "kernel_id": "",
                "ramdisk_id": "",
                # created one after another, as a real cloud's servers were
                "created_at": now - timedelta(milliseconds=count - i),
                "updated_at": now,
                "launched_at": now,
                "deleted": False,
            }
        )
        if with_allocations:
            rp = nodes[host]
            allocs = {rp.uuid: {"VCPU": 1, "MEMORY_MB": 192, "DISK_GB": 1}}
            placement.consumers[iid] = Consumer(iid, project, user, 0, "INSTANCE", now, now, allocs)
            for rc, amount in allocs[rp.uuid].items():
                rp.used[rc] = rp.used.get(rc, 0) + amount
        if len(batch) >= 5000:
            with cloud.db.begin() as db:
                db.execute(insert(m.instances), batch)
            batch = []
    if batch:
        with cloud.db.begin() as db:
            db.execute(insert(m.instances), batch)


async def _hammer(url: str, token: str, path: str, duration: float, concurrency: int) -> tuple[int, int]:
    ok = bad = 0
    deadline = time.monotonic() + duration
    headers = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.100"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:

        async def worker() -> None:
            nonlocal ok, bad
            while time.monotonic() < deadline:
                r = await c.get(path)
                if r.status_code == 200:
                    ok += 1
                else:
                    bad += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, bad


def bench_list(servers: int, duration: float) -> dict[str, Any]:
    handle = start(4, 0.0)
    try:
        conn = handle.connect()
        _insert_instances(handle.cloud, servers, conn.current_project_id, conn.current_user_id, False)
        t = time.monotonic()
        ok, bad = asyncio.run(
            _hammer(handle.url, conn.auth_token, "/compute/v2.1/servers/detail?limit=100", duration, 8)
        )
        elapsed = time.monotonic() - t
        return {
            "servers": servers,
            "requests": ok,
            "errors": bad,
            "req_per_s": round(ok / elapsed, 1),
            "target_req_per_s": 1500,
        }
    finally:
        handle.stop()


def bench_memory(hosts: int, instances: int) -> dict[str, Any]:
    before = rss_mb()
    handle = start(hosts, 0.0)
    try:
        conn = handle.connect()
        _insert_instances(handle.cloud, instances, conn.current_project_id, conn.current_user_id, True)
        return {
            "hosts": hosts,
            "instances": instances,
            "max_rss_mb": round(rss_mb(), 1),
            "rss_before_mb": round(before, 1),
            "target_mb": 600,
            "note": "max RSS of the bench process (cloud in process, SQLite in memory)",
        }
    finally:
        handle.stop()


def main() -> None:
    scale = 0.1 if QUICK else 1.0
    results: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    }
    results["scheduler"] = bench_scheduler(int(10000 * scale), 200)
    print("scheduler", results["scheduler"], flush=True)
    results["boots"] = bench_boots(int(1000 * scale), 20 if QUICK else 60, 40)
    print("boots", results["boots"], flush=True)
    results["list_detail"] = bench_list(int(10000 * scale), 10)
    print("list_detail", results["list_detail"], flush=True)
    results["memory"] = bench_memory(int(10000 * scale), int(100000 * scale))
    print("memory", results["memory"], flush=True)
    out = Path(__file__).parent / "results" / "compute.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
