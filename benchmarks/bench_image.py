"""Image benchmarks (issue 3): create + upload (1 MiB) + delete cycles per second, and upload
throughput in MiB/s, over loopback against one `twinstack serve --ephemeral` process.

    python benchmarks/bench_image.py [--duration 10] [--connections 8]

The load generator is a minimal asyncio HTTP/1.1 keep-alive client on uvloop (the client shares
the two cores with the server, so it is kept light). Every cycle checks its status codes. For scale, the same
client also uploads to a bare uvicorn + starlette app that only reads the body (the ceiling any
upload through this HTTP stack can reach on the machine). Results: benchmarks/results/image.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import describe, free_port, start_server, write_result  # noqa: E402

TARGETS = {"cycles_per_s": 300, "upload_mib_per_s": 300}
MIB = 1024 * 1024


def run(coro: Any) -> Any:
    """Run ``coro`` on uvloop when it is installed (it is twinstack's own loop), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux), else None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, work: Any, per: str) -> dict[str, Any]:
    """Run ``work`` (a coroutine); add the server's CPU milliseconds per ``per`` to its result."""
    before = cpu_seconds(pid)
    result: dict[str, Any] = run(work)
    after = cpu_seconds(pid)
    units = result["cycles"] if per == "cycle" else result["mib"]
    if before is not None and after is not None and units:
        result[f"server_cpu_ms_per_{per}"] = round((after - before) * 1000 / units, 2)
    return result


class Conn:
    """One keep-alive HTTP/1.1 connection; just enough protocol for these requests."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, body: bytes = b"", ctype: str = "", chunks: int = 0
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {self.token}\r\n"
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        length = len(body) * (chunks or 1)
        head += f"Content-Length: {length}\r\n\r\n"
        self.writer.write(head.encode())
        for _ in range(chunks or 1):
            if body:
                self.writer.write(body)
                await self.writer.drain()
        # The status line and headers in one read; only Content-Length matters here.
        response = await self.reader.readuntil(b"\r\n\r\n")
        status = int(response[9:12])
        at = response.lower().find(b"\r\ncontent-length:")
        size = int(response[at + 17 : response.index(b"\r\n", at + 2)]) if at >= 0 else 0
        data = await self.reader.readexactly(size) if size else b""
        return status, data

    def close(self) -> None:
        self.writer.close()


async def cycles(port: int, token: str, duration: float, connections: int) -> dict[str, float]:
    payload = os.urandom(MIB)
    create = json.dumps({"name": "bench", "disk_format": "raw", "container_format": "bare"}).encode()
    done = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal done
        conn = Conn(port, token)
        await conn.open()
        try:
            while time.perf_counter() < deadline:
                status, body = await conn.request("POST", "/image/v2/images", create, "application/json")
                assert status == 201, (status, body)
                image_id = json.loads(body)["id"]
                status, body = await conn.request(
                    "PUT", f"/image/v2/images/{image_id}/file", payload, "application/octet-stream"
                )
                assert status == 204, (status, body)
                status, body = await conn.request("DELETE", f"/image/v2/images/{image_id}")
                assert status == 204, (status, body)
                done += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t0
    return {
        "cycles": done,
        "seconds": round(elapsed, 2),
        "cycles_per_s": round(done / elapsed, 1),
        "upload_mib_per_s_in_cycles": round(done / elapsed, 1),
    }


async def throughput(port: int, token: str, size_mib: int, images: int, connections: int) -> dict[str, float]:
    block = os.urandom(MIB)
    create = json.dumps({"name": "bench-big", "disk_format": "raw", "container_format": "bare"}).encode()
    uploaded = 0

    async def worker(count: int) -> None:
        nonlocal uploaded
        conn = Conn(port, token)
        await conn.open()
        try:
            for _ in range(count):
                status, body = await conn.request("POST", "/image/v2/images", create, "application/json")
                image_id = json.loads(body)["id"]
                status, body = await conn.request(
                    "PUT",
                    f"/image/v2/images/{image_id}/file",
                    block,
                    "application/octet-stream",
                    chunks=size_mib,
                )
                assert status == 204, (status, body)
                uploaded += size_mib
                status, _ = await conn.request("DELETE", f"/image/v2/images/{image_id}")
                assert status == 204
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(images // connections) for _ in range(connections)))
    elapsed = time.perf_counter() - t0
    return {"mib": uploaded, "seconds": round(elapsed, 2), "upload_mib_per_s": round(uploaded / elapsed, 1)}


SINK = """
import sys, uvicorn
from starlette.requests import Request
from starlette.responses import Response

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    async for _ in Request(scope, receive).stream():
        pass
    await Response(b"", 204)(scope, receive, send)

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            loop="uvloop", http="httptools")
"""


def framework_ceiling(size_mib: int) -> float:
    """MiB/s a bare uvicorn + starlette app that only reads the body gets here: the best any upload can do."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    async def upload() -> float:
        for _ in range(300):
            try:
                conn = Conn(port, "")
                await conn.open()
                break
            except OSError:
                await asyncio.sleep(0.02)
        block = os.urandom(MIB)
        t0 = time.perf_counter()
        status, _ = await conn.request("PUT", "/", block, "application/octet-stream", chunks=size_mib)
        conn.close()
        assert status == 204
        return size_mib / (time.perf_counter() - t0)

    try:
        return round(run(upload()), 1)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--size-mib", type=int, default=256, help="size of each throughput image")
    ap.add_argument("--images", type=int, default=8, help="images uploaded in the throughput run")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    server = start_server()
    port, token = server.port, server.token
    try:
        pid = server.proc.pid
        cyc = measured(pid, cycles(port, token, args.duration, args.connections), "cycle")
        single = measured(pid, throughput(port, token, args.size_mib, 2, 1), "mib")
        multi = measured(pid, throughput(port, token, args.size_mib, args.images, 4), "mib")
    finally:
        server.stop()
    ceiling = framework_ceiling(args.size_mib)
    result = {
        "benchmark": "image",
        "machine": {**describe(), "load_average_1m_before": round(load_before, 2)},
        "targets": TARGETS,
        "cycles_per_s": cyc["cycles_per_s"],
        "upload_mib_per_s": max(single["upload_mib_per_s"], multi["upload_mib_per_s"]),
        "detail": {
            "create_upload_1mib_delete": cyc,
            "upload_one_connection": single,
            "upload_four_connections": multi,
            "bare_uvicorn_starlette_sink_mib_per_s": ceiling,
        },
        "settings": {
            "connections": args.connections,
            "duration_s": args.duration,
            "throughput_image_mib": args.size_mib,
            "what": "POST /v2/images + PUT .../file (1 MiB, md5+sha512, written to disk) + DELETE",
        },
    }
    write_result("image", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
