"""Compute benchmarks (issue 5, item 8). Run: ``python benchmarks/bench_compute.py [--quick]``.

Each measurement runs in its own process (a fresh cloud on 127.0.0.1, nothing left over from the
previous one), bounded in count and time:

1. ``scheduler``: scheduler decisions (``select_destinations``, claim included) at 10,000 hosts,
   in process, p50/p99; and how long a 10,000-host cloud takes to start;
2. ``boots``: servers booted to ACTIVE per second over HTTP with 1,000 fake hosts, for 60 s, by
   clients that each boot, then poll like Rally (every second) until ACTIVE, then boot again;
   the clients run in a separate process (as Rally would), so the cloud's process is measured;
3. ``latency``: server-side create-to-ACTIVE latency (``created_at`` -> ``launched_at``) at an
   offered load of 10 boots/s;
4. ``list_detail``: ``GET /servers/detail?limit=100`` per second with 10,000 servers in the
   database (8 connections; ``wrk`` when installed): the same page again and again (rendered
   pages are reused while the database is unchanged) and, cache off, every page rendered;
5. ``memory``: resident memory of a cloud with 10,000 hosts and 100,000 instances (instance
   records, placement consumers and allocations, in SQLite in memory).

Driver latency is 5 ms per boot step (4 steps), not the 50 ms default. Results:
``benchmarks/results/compute.json`` with the machine description (the load average shows what
else ran on the machine at the time).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import describe, write_result  # noqa: E402

QUICK = "--quick" in sys.argv
SCALE = 0.1 if QUICK else 1.0
POLL_INTERVAL = 1.0  # Rally's nova_server_boot_poll_interval
STEP_LATENCY = 0.005


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def rnd(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def start(hosts: int, latency: float) -> Any:
    os.environ["TWINSTACK_COMPUTE_HOSTS"] = str(hosts)
    os.environ["TWINSTACK_COMPUTE_LATENCY"] = str(latency)
    from twinstack.testing import start_cloud

    return start_cloud()


def memory_mb() -> dict[str, float]:
    """Resident memory now and at the peak (VmRSS, VmHWM) of this process, in MB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_rss_mb": out.get("VmHWM", 0.0)}


# 1. scheduler -------------------------------------------------------------------------------------
def part_scheduler() -> dict[str, Any]:
    from twinstack.core.context import RequestContext

    hosts = int(10000 * SCALE)
    t0 = time.perf_counter()
    handle = start(hosts, 0.0)
    start_s = time.perf_counter() - t0
    try:
        cloud = handle.cloud
        scheduler = cloud.service("compute").scheduler
        placement = cloud.service("placement")
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
        times = []
        for n in range(1000):
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
            if n % 2:  # half the claims stay: the hosts fill as a cloud does
                placement.replace_allocations({consumer: {"allocations": {}}})
        return {
            "hosts": hosts,
            "cloud_start_s": round(start_s, 2),
            "decisions": len(times),
            "p50_ms": rnd(pct(times, 0.5), 3),
            "p99_ms": rnd(pct(times, 0.99), 3),
            "target_p50_ms": 5,
            "note": "select_destinations in process: candidates (limit 1000), filters, weighers, claim",
        }
    finally:
        handle.stop()


# 2, 3. boots --------------------------------------------------------------------------------------
class Conn:
    """One keep-alive HTTP/1.1 connection, just enough protocol for JSON requests (a load
    generator that costs the machine far less than a full client library)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode() if body is not None else b""
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        status = int((await self.reader.readline()).split()[1])
        size = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                size = int(value)
        raw = await self.reader.readexactly(size) if size else b""
        return status, json.loads(raw) if raw else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _boot_clients(
    url: str, token: str, image: str, duration: float, concurrency: int, rate: float | None
) -> dict[str, Any]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port, prefix = parts.hostname or "127.0.0.1", parts.port or 80, parts.path + "/compute/v2.1"
    headers = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.37"}
    done: list[tuple[float, float]] = []  # (finished at, create -> ACTIVE seen)
    errors: list[str] = []
    ids: list[str] = []
    started = time.monotonic()
    deadline = started + duration

    async def boot(conn: Conn, name: str) -> None:
        t = time.monotonic()
        try:
            body = {"server": {"name": name, "flavorRef": "42", "imageRef": image, "networks": "none"}}
            status, answer = await conn.request("POST", prefix + "/servers", body)
            if status != 202:
                errors.append(f"create {status} {str(answer)[:120]}")
                return
            sid = answer["server"]["id"]
            ids.append(sid)
            while True:
                await asyncio.sleep(POLL_INTERVAL)
                status, answer = await conn.request("GET", f"{prefix}/servers/{sid}")
                state = answer["server"]["status"] if status == 200 else f"HTTP {status}"
                if state == "ACTIVE":
                    done.append((time.monotonic() - started, time.monotonic() - t))
                    return
                if state != "BUILD":
                    errors.append(f"{state} {answer}"[:200])
                    return
        except Exception as exc:  # counted, never raised: a run reports its errors
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn.writer = None

    if rate is None:  # closed loop: each client boots, waits for ACTIVE, boots again

        async def client(n: int) -> None:
            conn = Conn(host, port, headers)
            i = 0
            while time.monotonic() < deadline:
                i += 1
                await boot(conn, f"b{n}-{i}")
            conn.close()

        await asyncio.gather(*(client(n) for n in range(concurrency)))
    else:  # open loop: a boot every 1/rate seconds on a free connection, whatever the answers
        idle: list[Conn] = []

        async def one(i: int) -> None:
            conn = idle.pop() if idle else Conn(host, port, headers)
            await boot(conn, f"r-{i}")
            idle.append(conn)

        tasks = []
        i = 0
        while time.monotonic() < deadline:
            i += 1
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
        await asyncio.gather(*tasks)
        for conn in idle:
            conn.close()
    elapsed = time.monotonic() - started
    in_window = [d for d in done if d[0] <= duration]
    return {
        "active": len(done),
        "errors": len(errors),
        "error_samples": errors[:3],
        "seconds": round(elapsed, 1),
        "boots_per_s": round(len(done) / elapsed, 1),
        "boots_per_s_in_window": round(len(in_window) / duration, 1),
        "client_p50_s": rnd(pct([d[1] for d in done], 0.5), 3),
        "client_p99_s": rnd(pct([d[1] for d in done], 0.99), 3),
        "ids": ids,
    }


def client_main() -> None:
    """``--boot-client URL TOKEN IMAGE DURATION CONCURRENCY RATE``: prints the result as JSON."""
    i = sys.argv.index("--boot-client")
    url, token, image, duration, concurrency, rate = sys.argv[i + 1 : i + 7]
    result = asyncio.run(
        _boot_clients(
            url, token, image, float(duration), int(concurrency), float(rate) if rate != "-" else None
        )
    )
    print(json.dumps(result))


def _server_latencies(cloud: Any, ids: list[str]) -> list[float]:
    from sqlalchemy import select

    from twinstack.services.compute import models as m

    i = m.instances
    out = []
    with cloud.db.begin() as db:
        for chunk in range(0, len(ids), 500):
            rows = db.execute(
                select(i.c.created_at, i.c.launched_at).where(
                    i.c.id.in_(ids[chunk : chunk + 500]), i.c.launched_at.is_not(None)
                )
            ).all()
            out += [(b - a).total_seconds() * 1000 for a, b in rows]
    return out


def _run_boots(hosts: int, duration: float, concurrency: int, rate: float | None) -> dict[str, Any]:
    import httpx

    handle = start(hosts, STEP_LATENCY)
    try:
        conn = handle.connect()
        image = next(i for i in conn.image.images() if "cirros" in (i.name or "")).id
        # quotas off for the bench project, as devstack's fake driver setup does
        httpx.put(
            handle.url + f"/compute/v2.1/os-quota-sets/{conn.current_project_id}",
            headers={"X-Auth-Token": conn.auth_token},
            json={"quota_set": {"instances": -1, "cores": -1, "ram": -1}},
        ).raise_for_status()
        cpu0 = time.process_time()
        args = [handle.url, conn.auth_token, image, str(duration), str(concurrency), str(rate or "-")]
        proc = subprocess.run(
            [sys.executable, __file__, "--boot-client", *args],
            capture_output=True,
            text=True,
            timeout=duration + 300,
        )
        cpu = time.process_time() - cpu0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        server = _server_latencies(handle.cloud, result.pop("ids"))
        result.update(
            {
                "hosts": hosts,
                "concurrency": concurrency,
                "server_p50_ms": rnd(pct(server, 0.5)),
                "server_p99_ms": rnd(pct(server, 0.99)),
                "cloud_cpu_ms_per_boot": rnd(cpu * 1000 / max(1, result["active"]), 2),
                "client_cpu_s": rnd(children.ru_utime + children.ru_stime),
            }
        )
        return result
    finally:
        handle.stop()


def part_boots() -> dict[str, Any]:
    result = _run_boots(int(1000 * SCALE), 20 if QUICK else 60, 130, None)
    result["target_boots_per_s"] = 100
    result["note"] = (
        "closed loop: 130 clients each boot (flavor m1.nano, networks none), poll every 1 s until "
        "ACTIVE, boot again; clients in their own process; driver latency 5 ms per step; "
        "server_* = created_at -> launched_at under this load"
    )
    return result


def part_latency() -> dict[str, Any]:
    result = _run_boots(int(1000 * SCALE), 10 if QUICK else 30, 0, 10.0)
    result.update({"offered_boots_per_s": 10, "target_server_p50_ms": 50, "target_server_p99_ms": 250})
    result["note"] = "open loop: a boot every 100 ms; server_* = created_at -> launched_at"
    return result


# 4. list ------------------------------------------------------------------------------------------
_FLAVOR = {
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


def _insert_instances(cloud: Any, count: int, project: str, user: str, with_allocations: bool) -> None:
    """``count`` ACTIVE servers spread over the hosts, written directly (with their placement
    consumers and allocations when asked), created one after another as a real cloud's were."""
    from sqlalchemy import insert

    from twinstack.services.compute import models as m
    from twinstack.services.placement import models as pm
    from twinstack.services.placement.state import Consumer

    now = datetime.now(UTC)
    hosts = cloud.service("compute").host_names()
    placement = cloud.service("placement")
    nodes = {p.name: p for p in placement.providers.values()}
    batch: list[dict[str, Any]] = []
    consumers: list[dict[str, Any]] = []
    allocations: list[dict[str, Any]] = []

    def flush() -> None:
        with cloud.db.begin() as db:
            db.execute(insert(m.instances), batch)
            if consumers:
                db.execute(insert(pm.consumers), consumers)
                db.execute(insert(pm.allocations), allocations)
        batch.clear()
        consumers.clear()
        allocations.clear()

    for n in range(count):
        host = hosts[n % len(hosts)]
        iid = str(uuid.uuid4())
        created = now - timedelta(milliseconds=count - n)
        batch.append(
            {
                "id": iid,
                "project_id": project,
                "user_id": user,
                "display_name": f"s{n}",
                "hostname": f"s{n}",
                "image_ref": "img",
                "image_meta": {},
                "flavor": _FLAVOR,
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
                "created_at": created,
                "updated_at": created,
                "launched_at": created,
                "deleted": False,
            }
        )
        if with_allocations:
            rp = nodes[host]
            allocs = {rp.uuid: {"VCPU": 1, "MEMORY_MB": 192, "DISK_GB": 1}}
            placement.consumers[iid] = Consumer(iid, project, user, 0, "INSTANCE", created, created, allocs)
            consumers.append(
                {
                    "uuid": iid,
                    "project_id": project,
                    "user_id": user,
                    "generation": 0,
                    "consumer_type": "INSTANCE",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for rc, amount in allocs[rp.uuid].items():
                rp.used[rc] = rp.used.get(rc, 0) + amount
                allocations.append(
                    {"consumer_uuid": iid, "provider_uuid": rp.uuid, "resource_class": rc, "used": amount}
                )
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    placement.forget_candidates()  # usage changed behind placement's back
    cloud.service("compute").store.forget_usage()


def _wrk(url: str, token: str, seconds: int) -> tuple[float, int]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "-H",
            f"X-Auth-Token: {token}",
            "-H",
            "X-OpenStack-Nova-API-Version: 2.100",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rate = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    bad = next((int(line.split()[-1]) for line in out.splitlines() if "Non-2xx" in line), 0)
    return rate, bad


async def _hammer(url: str, token: str, seconds: float, concurrency: int) -> tuple[float, int]:
    import httpx

    ok = bad = 0
    deadline = time.monotonic() + seconds
    headers = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.100"}
    t0 = time.monotonic()
    async with httpx.AsyncClient(headers=headers, timeout=60) as c:

        async def worker() -> None:
            nonlocal ok, bad
            while time.monotonic() < deadline:
                r = await c.get(url)
                ok, bad = (ok + 1, bad) if r.status_code == 200 else (ok, bad + 1)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok / (time.monotonic() - t0), bad


def part_list() -> dict[str, Any]:
    servers = int(10000 * SCALE)
    seconds = 5 if QUICK else 10
    handle = start(4, 0.0)
    try:
        conn = handle.connect()
        _insert_instances(handle.cloud, servers, conn.current_project_id, conn.current_user_id, False)
        url = handle.url + "/compute/v2.1/servers/detail?limit=100"
        tool = "wrk" if shutil.which("wrk") else "httpx"

        def measure() -> tuple[float, int]:
            if tool == "wrk":
                return _wrk(url, conn.auth_token, seconds)
            return asyncio.run(_hammer(url, conn.auth_token, seconds, 8))

        cached, cached_errors = measure()
        compute = handle.cloud.service("compute")
        compute.list_cache.enabled = False
        rendered, rendered_errors = measure()
        compute.list_cache.enabled = True
        return {
            "servers": servers,
            "page": 100,
            "client": f"{tool}, 8 connections, {seconds} s each",
            "req_per_s": round(cached, 1),
            "errors": cached_errors,
            "req_per_s_every_page_rendered": round(rendered, 1),
            "errors_rendered": rendered_errors,
            "target_req_per_s": 1500,
            "note": "req_per_s: the same page again (kept while the database is unchanged); "
            "every_page_rendered: the page cache off (query, addresses and groups in one batch, views)",
        }
    finally:
        handle.stop()


# 5. memory ----------------------------------------------------------------------------------------
def part_memory() -> dict[str, Any]:
    from twinstack.core.context import RequestContext

    hosts, instances = int(10000 * SCALE), int(100000 * SCALE)
    before = memory_mb()
    handle = start(hosts, 0.0)
    try:
        conn = handle.connect()
        cloud = handle.cloud
        after_start = memory_mb()
        t = time.perf_counter()
        _insert_instances(cloud, instances, conn.current_project_id, conn.current_user_id, True)
        insert_s = time.perf_counter() - t
        # the cloud still works at that size: a decision and a page of servers
        spec = {"project_id": "b", "user_id": "b", "flavor": _FLAVOR, "image": {}, "num_instances": 1}
        cloud.service("compute").scheduler.select_destinations(
            RequestContext.admin_context(), spec, [str(uuid.uuid4())]
        )
        import httpx

        r = httpx.get(
            handle.url + "/compute/v2.1/servers/detail?limit=100",
            headers={"X-Auth-Token": conn.auth_token},
            timeout=60,
        )
        r.raise_for_status()
        gc.collect()
        return {
            "hosts": hosts,
            "instances": instances,
            **memory_mb(),
            "rss_python_only_mb": before["rss_mb"],
            "rss_after_start_mb": after_start["rss_mb"],
            "insert_s": round(insert_s, 1),
            "target_mb": 600,
            "note": "resident memory of the process holding the cloud (SQLite in memory: instance "
            "records, placement consumers and allocations; placement and scheduler state in memory)",
        }
    finally:
        handle.stop()


PARTS = {
    "scheduler": (part_scheduler, 600),
    "boots": (part_boots, 900),
    "latency": (part_latency, 600),
    "list_detail": (part_list, 600),
    "memory": (part_memory, 900),
}


def main() -> None:
    if "--boot-client" in sys.argv:
        client_main()
        return
    if "--part" in sys.argv:
        name = sys.argv[sys.argv.index("--part") + 1]
        print(json.dumps(PARTS[name][0]()))
        return
    only = [a for a in sys.argv[1:] if a in PARTS]  # e.g. ``bench_compute.py boots``: rerun one
    results: dict[str, Any] = {}
    previous = Path(__file__).resolve().parent / "results" / "compute.json"
    if only and previous.exists():
        results = json.loads(previous.read_text())
    results.update({"machine": describe(), "quick": QUICK})
    for name, (_, timeout) in PARTS.items():
        if only and name not in only:
            continue
        args = [sys.executable, __file__, "--part", name] + (["--quick"] if QUICK else [])
        t = time.monotonic()
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            results[name] = {"failed": proc.stderr[-1500:]}
        else:
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        results[name]["bench_s"] = round(time.monotonic() - t, 1)
        results[name]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        print(name, json.dumps(results[name]), flush=True)
    path = write_result("compute", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
