"""Block storage benchmarks (issue 6), over loopback against one `twinstack serve --ephemeral`:

- volumes created to ``available`` per second: connections keep POSTing ``/volumes`` for the
  duration; the clock stops when the last of them is ``available`` (each one went API ->
  volume_scheduler -> volume manager -> fake driver, with the default create latency);
- attach + detach cycles per second through the attachments API (3.44): create with a
  connector (reserve + connection), ``os-complete``, delete.

    python benchmarks/bench_block_storage.py [--duration 10] [--connections 32]

Bounded: at most --max-volumes volumes, --duration seconds per phase. Results:
benchmarks/results/block_storage.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import describe, start_server, write_result  # noqa: E402

TARGETS = {"volumes_to_available_per_s": 500, "attach_detach_cycles_per_s": 200}
CONNECTOR = {
    "initiator": "iqn.1993-08.org.debian:01:bench",
    "ip": "127.0.0.1",
    "platform": "x86_64",
    "host": "bench-compute",
    "os_type": "linux",
    "multipath": False,
    "mountpoint": "/dev/vdb",
}


class Conn:
    """One keep-alive HTTP/1.1 connection with cinder's headers; enough protocol for JSON."""

    def __init__(self, port: int, token: str, version: str) -> None:
        self.port, self.token, self.version = port, token, version

    async def open(self) -> Conn:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def request(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {self.token}\r\n"
            f"OpenStack-API-Version: volume {self.version}\r\nContent-Length: {len(data)}\r\n"
        )
        if data:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        status = int((await self.reader.readline()).split()[1])
        size = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                size = int(value)
        return status, (await self.reader.readexactly(size) if size else b"")

    def close(self) -> None:
        self.writer.close()


async def creates(
    port: int, token: str, base: str, duration: float, connections: int, limit: int
) -> dict[str, float]:
    ids: list[str] = []
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        conn = await Conn(port, token, "3.0").open()
        try:
            while time.perf_counter() < deadline and len(ids) < limit:
                status, body = await conn.request(
                    "POST", f"{base}/volumes", {"volume": {"size": 1, "name": "b"}}
                )
                assert status == 202, (status, body)
                ids.append(json.loads(body)["volume"]["id"])
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    posted = time.perf_counter() - t0
    poll = await Conn(port, token, "3.45").open()
    while True:  # until none is creating any more
        status, body = await poll.request("GET", f"{base}/volumes?status=creating&limit=1&with_count=true")
        assert status == 200, body
        if json.loads(body)["count"] == 0:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - t0
    status, body = await poll.request("GET", f"{base}/volumes?status=available&limit=1&with_count=true")
    available = json.loads(body)["count"]
    poll.close()
    return {
        "volumes": len(ids),
        "available": available,
        "post_seconds": round(posted, 3),
        "seconds_to_all_available": round(elapsed, 3),
        "volumes_to_available_per_s": round(available / elapsed, 1),
    }


async def attach_cycles(
    port: int, token: str, base: str, duration: float, connections: int
) -> dict[str, float]:
    setup = await Conn(port, token, "3.44").open()
    volumes = []
    for _ in range(connections):
        status, body = await setup.request("POST", f"{base}/volumes", {"volume": {"size": 1, "name": "att"}})
        assert status == 202, body
        volumes.append(json.loads(body)["volume"]["id"])
    for vid in volumes:
        while True:
            status, body = await setup.request("GET", f"{base}/volumes/{vid}")
            if json.loads(body)["volume"]["status"] == "available":
                break
            await asyncio.sleep(0.01)
    setup.close()
    done = 0
    deadline = time.perf_counter() + duration

    async def worker(vid: str) -> None:
        nonlocal done
        conn = await Conn(port, token, "3.44").open()
        try:
            while time.perf_counter() < deadline:
                body = {
                    "attachment": {
                        "volume_uuid": vid,
                        "instance_uuid": str(uuid.uuid4()),
                        "connector": CONNECTOR,
                    }
                }
                status, data = await conn.request("POST", f"{base}/attachments", body)
                assert status == 200, (status, data)
                att = json.loads(data)["attachment"]["id"]
                status, data = await conn.request(
                    "POST", f"{base}/attachments/{att}/action", {"os-complete": None}
                )
                assert status == 204, (status, data)
                status, data = await conn.request("DELETE", f"{base}/attachments/{att}")
                assert status == 200, (status, data)
                done += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(v) for v in volumes))
    elapsed = time.perf_counter() - t0
    return {
        "cycles": done,
        "seconds": round(elapsed, 3),
        "attach_detach_cycles_per_s": round(done / elapsed, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--max-volumes", type=int, default=20000)
    a = ap.parse_args()
    server = start_server()
    port, token, project = server.port, server.token, server.project_id
    base = f"/volume/v3/{project}"
    try:
        with httpx.Client(headers={"X-Auth-Token": token}) as client:  # no quota in the way
            r = client.put(
                f"http://127.0.0.1:{port}{base}/os-quota-sets/{project}",
                json={"quota_set": {"volumes": -1, "gigabytes": -1, "snapshots": -1}},
            )
            r.raise_for_status()
        create = asyncio.run(creates(port, token, base, a.duration, a.connections, a.max_volumes))
        attach = asyncio.run(attach_cycles(port, token, base, a.duration, a.connections))
    finally:
        server.stop()
    figures = {
        "volumes_to_available_per_s": create["volumes_to_available_per_s"],
        "attach_detach_cycles_per_s": attach["attach_detach_cycles_per_s"],
    }
    result = {
        "benchmark": "block_storage",
        "machine": describe(),
        "settings": {
            "duration_s": a.duration,
            "connections": a.connections,
            "server": "twinstack serve --ephemeral",
            "create_latency_s": "default (0.05)",
        },
        "create": create,
        "attach": attach,
        "figures": figures,
        "targets": TARGETS,
        "met": {k: figures[k] >= TARGETS[k] for k in TARGETS},
    }
    write_result("block_storage", result)
    print(json.dumps({"create": create, "attach": attach, "met": result["met"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
