"""Networking benchmarks (issue 4): network, subnet and port create rates, and port creates under
32-way concurrency with zero duplicate IPs or MACs.

    python benchmarks/bench_network.py [--networks 2000] [--ports 4000] [--connections 32]

Two measurements of the same operations:
- ``in_process``: ``NetworkService`` methods called directly on a ``Cloud`` (no HTTP, no auth):
  the cost of neutron's rules, IPAM and the database.
- ``http``: one ``twinstack serve --ephemeral`` process over loopback, driven by a minimal asyncio
  HTTP/1.1 keep-alive client with N concurrent connections (token auth on every request, as a
  real client does). After the concurrent port run, every port is listed and checked for
  distinct fixed IPs and MACs.

Counts are bounded; only 127.0.0.1 is used. Results: benchmarks/results/network.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import describe, start_server, write_result  # noqa: E402

TARGETS = {"ports_per_s": 1000, "networks_per_s": 1000}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by a process (this one by default)."""
    if pid is None:
        return time.process_time()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rates(count: int, wall: float, cpu: float) -> dict[str, float]:
    """Wall-clock rate, and the rate per CPU-second of the serving process (what one
    uncontended core would do: the machine these ran on may be shared)."""
    return {"per_s": round(count / wall, 1), "per_cpu_s": round(count / cpu, 1) if cpu else 0.0}


UNLIMITED = {"network": -1, "subnet": -1, "port": -1}


# in process ---------------------------------------------------------------------------------
def in_process(networks: int, ports: int) -> dict[str, Any]:
    from twinstack.config import Settings
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext

    cloud = Cloud(Settings.from_env(ephemeral=True, write_clouds_yaml=False, port=0))
    svc = cloud.service("network")
    ctx = RequestContext.admin_context()
    ctx.project_id = cloud.service("identity").find_project_by_name("admin", "default")["id"]
    svc.update_quota(ctx, ctx.project_id, {"quota": UNLIMITED})

    t0, c0 = time.perf_counter(), cpu_seconds()
    net_ids = [svc.create_network(ctx, {"name": f"n{i}"})["id"] for i in range(networks)]
    t_net, c_net = time.perf_counter() - t0, cpu_seconds() - c0

    count = min(networks, 1000)
    t0, c0 = time.perf_counter(), cpu_seconds()
    for i, net_id in enumerate(net_ids[:count]):
        svc.create_subnet(
            ctx, {"network_id": net_id, "ip_version": 4, "cidr": f"10.{i // 256}.{i % 256}.0/24"}
        )
    t_sub, c_sub = time.perf_counter() - t0, cpu_seconds() - c0

    big = svc.create_network(ctx, {"name": "ports"})
    svc.create_subnet(ctx, {"network_id": big["id"], "ip_version": 4, "cidr": "172.16.0.0/16"})
    t0, c0 = time.perf_counter(), cpu_seconds()
    made = [svc.create_port(ctx, {"network_id": big["id"]}) for _ in range(ports)]
    t_port, c_port = time.perf_counter() - t0, cpu_seconds() - c0
    ips = {p["fixed_ips"][0]["ip_address"] for p in made}
    macs = {p["mac_address"] for p in made}
    cloud.db.dispose()
    return {
        "networks": networks,
        "networks_per_s": rates(networks, t_net, c_net),
        "subnets": count,
        "subnets_per_s": rates(count, t_sub, c_sub),
        "ports": ports,
        "ports_per_s": rates(ports, t_port, c_port),
        "duplicate_ips": ports - len(ips),
        "duplicate_macs": ports - len(macs),
    }


# over HTTP ----------------------------------------------------------------------------------


class Conn:
    """One keep-alive HTTP/1.1 connection: just enough protocol for JSON requests."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    async def open(self) -> Conn:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        status = int((await self.reader.readline()).split()[1])
        size = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                size = int(value)
        raw = await self.reader.readexactly(size) if size else b""
        return status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.writer.close()


async def run_many(
    port: int, token: str, connections: int, count: int, make: Any, pid: int | None = None
) -> tuple[float, float, list[Any]]:
    """``count`` requests from ``connections`` concurrent connections; returns (seconds, bodies)."""
    conns = [await Conn(port, token).open() for _ in range(connections)]
    results: list[Any] = []
    next_index = 0

    async def worker(conn: Conn) -> None:
        nonlocal next_index
        while next_index < count:
            i = next_index
            next_index += 1
            method, path, body, expect = make(i)
            status, answer = await conn.request(method, path, body)
            assert status == expect, (status, answer)
            results.append(answer)

    t0, c0 = time.perf_counter(), cpu_seconds(pid) if pid else 0.0
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed, cpu = time.perf_counter() - t0, (cpu_seconds(pid) - c0) if pid else 0.0
    for c in conns:
        c.close()
    return elapsed, cpu, results


async def one(port: int, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A request on a fresh connection (the server closes keep-alive connections idle for 5 s)."""
    conn = await Conn(port, token).open()
    try:
        return await conn.request(method, path, body)
    finally:
        conn.close()


async def over_http(
    port: int, token: str, pid: int, networks: int, ports: int, connections: int
) -> dict[str, Any]:
    _, tok = await one(port, token, "GET", "/networking/v2.0/networks?name=public")
    project = tok["networks"][0]["project_id"]
    status, _ = await one(port, token, "PUT", f"/networking/v2.0/quotas/{project}", {"quota": UNLIMITED})
    assert status == 200
    t_net, c_net, made = await run_many(
        port,
        token,
        connections,
        networks,
        lambda i: ("POST", "/networking/v2.0/networks", {"network": {"name": f"h{i}"}}, 201),
        pid,
    )
    net_ids = [b["network"]["id"] for b in made]
    count = min(networks, 1000)
    t_sub, c_sub, _ = await run_many(
        port,
        token,
        connections,
        count,
        lambda i: (
            "POST",
            "/networking/v2.0/subnets",
            {"subnet": {"network_id": net_ids[i], "ip_version": 4, "cidr": f"10.{i // 256}.{i % 256}.0/24"}},
            201,
        ),
        pid,
    )
    _, big = await one(port, token, "POST", "/networking/v2.0/networks", {"network": {"name": "ports"}})
    big_id = big["network"]["id"]
    await one(
        port,
        token,
        "POST",
        "/networking/v2.0/subnets",
        {"subnet": {"network_id": big_id, "ip_version": 4, "cidr": "172.16.0.0/16"}},
    )
    t_port, c_port, _ = await run_many(
        port,
        token,
        connections,
        ports,
        lambda i: ("POST", "/networking/v2.0/ports", {"port": {"network_id": big_id}}, 201),
        pid,
    )
    _, listed = await one(
        port, token, "GET", f"/networking/v2.0/ports?network_id={big_id}&fields=fixed_ips&fields=mac_address"
    )
    ips = [p["fixed_ips"][0]["ip_address"] for p in listed["ports"]]
    macs = [p["mac_address"] for p in listed["ports"]]
    assert len(listed["ports"]) == ports
    return {
        "connections": connections,
        "networks": networks,
        "networks_per_s": rates(networks, t_net, c_net),
        "subnets": count,
        "subnets_per_s": rates(count, t_sub, c_sub),
        "ports": ports,
        "ports_per_s": rates(ports, t_port, c_port),
        "duplicate_ips": len(ips) - len(set(ips)),
        "duplicate_macs": len(macs) - len(set(macs)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--networks", type=int, default=2000)
    ap.add_argument("--ports", type=int, default=4000)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    local = in_process(args.networks, args.ports)
    print("in process:", local, flush=True)
    server = start_server()
    try:
        remote = asyncio.run(
            over_http(server.port, server.token, server.proc.pid, args.networks, args.ports, args.connections)
        )
    finally:
        server.stop()
    print("http:", remote, flush=True)
    result = {
        "benchmark": "network",
        "machine": describe(),
        "targets": TARGETS,
        "in_process": local,
        "http": remote,
        "load_average_before": load,
        "reported": "http (the client's view: auth, JSON and HTTP included); in_process is the service "
        "layer alone. per_s is wall clock on this (possibly shared) machine; per_cpu_s divides by the CPU "
        "time the serving process used, i.e. what one uncontended core sustains",
        "met": {
            key: {"wall": remote[key]["per_s"] >= target, "per_cpu": remote[key]["per_cpu_s"] >= target}
            for key, target in TARGETS.items()
        },
    }
    print(f"wrote {write_result('network', result)}")


if __name__ == "__main__":
    main()
