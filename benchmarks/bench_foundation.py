"""Foundation benchmarks (issue 2): cold start to first token, idle RSS, token issue and
validation rates over loopback against one `twinstack serve` process.

    python benchmarks/bench_foundation.py [--duration 10] [--starts 7]

Load comes from `wrk` (Debian package `wrk`), which uses one core while the server uses the
other. Results: benchmarks/results/foundation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import AUTH, describe, start_server, write_result  # noqa: E402

TARGETS = {"cold_start_s": 1.0, "idle_rss_mb": 100, "token_issue_per_s": 1500, "token_validate_per_s": 5000}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url: str, script: str, duration: int, connections: int = 16) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", f.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"errors during load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--starts", type=int, default=7)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    # Measured as an installed twinstack starts: with its bytecode cached. (Some shells set
    # PYTHONDONTWRITEBYTECODE, which would make every start compile every module again.)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as data:
        start_server(data_dir=data, env=env).stop()  # writes the bytecode caches
    starts = []
    for _ in range(args.starts):
        # Each start from a settled machine, as a user starts a cloud: right after the previous
        # server exits, the kernel is still tearing it down (its memory, its files), which added
        # 0.1-0.4 s to one start in three.
        time.sleep(1)
        with tempfile.TemporaryDirectory() as data:
            server = start_server(data_dir=data, env=env)
            server.stop()
            starts.append(server.startup_s)

    server = start_server()
    port, proc = server.port, server.proc
    try:
        time.sleep(1)
        idle = rss_mb(proc.pid)
        base = f"http://127.0.0.1:{port}/identity/v3/auth/tokens"
        body = json.dumps(AUTH).replace('"', '\\"')
        issue = wrk(
            base,
            f'wrk.method = "POST"\nwrk.body = "{body}"\nwrk.headers["Content-Type"] = "application/json"\n',
            args.duration,
        )
        token = httpx.post(base, json=AUTH).headers["x-subject-token"]
        subject = httpx.post(base, json=AUTH).headers["x-subject-token"]
        validate = wrk(
            base,
            f'wrk.headers["X-Auth-Token"] = "{token}"\nwrk.headers["X-Subject-Token"] = "{subject}"\n',
            args.duration,
        )
        loaded = rss_mb(proc.pid)
    finally:
        server.stop()

    result = {
        "benchmark": "foundation",
        "machine": describe(),
        "targets": TARGETS,
        "cold_start_s": {
            "median": round(statistics.median(starts), 3),
            "runs": [round(s, 3) for s in starts],
            "what": "process spawn to first 201 token, fresh SQLite file, bytecode cached, 1 s apart",
        },
        "idle_rss_mb": round(idle, 1),
        "rss_after_load_mb": round(loaded, 1),
        "token_issue_per_s": round(issue),
        "token_validate_per_s": round(validate),
        "settings": {
            "password_hasher": "pbkdf2_sha256 (1000 iterations)",
            "wrk": "1 thread, 16 connections",
            "duration_s": args.duration,
        },
    }
    write_result("foundation", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
