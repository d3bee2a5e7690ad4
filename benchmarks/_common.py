"""What the benchmarks share: the machine description, a `twinstack serve` process, a token."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results"
AUTH = {
    "auth": {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}},
        },
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
    }
}


def describe() -> dict[str, Any]:
    """What machine a benchmark ran on, written next to every result."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            mem_gb = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": sys.version.split()[0],
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A `twinstack serve` process, with an admin token from its first successful auth."""

    proc: subprocess.Popen[bytes]
    port: int
    token: str
    project_id: str
    startup_s: float  # process spawn to the first 201 token

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_server(
    *args: str,
    data_dir: str | None = None,
    port: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> Server:
    """Start `twinstack serve` (ephemeral unless ``data_dir``) and wait for a token.

    ``env`` replaces the environment of the server process when given.
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "twinstack.cli", "serve", "--port", str(port), "--no-clouds-yaml", *args]
    cmd += ["--data-dir", data_dir] if data_dir else ["--ephemeral"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}/identity/v3/auth/tokens"
    with httpx.Client() as client:
        while True:
            try:
                r = client.post(url, json=AUTH)
                if r.status_code == 201:
                    return Server(
                        proc,
                        port,
                        r.headers["x-subject-token"],
                        r.json()["token"]["project"]["id"],
                        time.perf_counter() - t0,
                    )
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > timeout:
                proc.kill()
                raise RuntimeError("twinstack serve did not start")
            time.sleep(0.005)
