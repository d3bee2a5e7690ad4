"""The issue's reference run: NovaServers.boot_and_delete_server, 1,000 iterations at concurrency
50, against a twinstack with 1,000 fake hypervisors.

    python benchmarks/bench_reference.py [--times 1000] [--concurrency 50] [--hosts 1000]
                                         [--poll-interval 0.2 1.0] [--in-process]

By default the cloud is a separate ``twinstack serve --ephemeral --hosts N`` process on a free
127.0.0.1 port (the bench and the cloud then do not share one interpreter lock, as Rally and
nova do not); ``--in-process`` starts it in this process instead. The task is the sample
``samples/tasks/scenarios/nova/boot-and-delete.yaml`` (2 tenants, a network per tenant,
unlimited nova quotas). Compute's fake hypervisor keeps its default latency (each boot walks
4 steps of TWINSTACK_COMPUTE_LATENCY, 0.05 s). Real nova's figure to compare with: 5.4
boot+delete per second on 26 machines (Rally's published run).

Writes benchmarks/results/bench_reference.json with a machine description.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import describe  # noqa: E402

from twinstack.bench.cloud import Env, Poll  # noqa: E402
from twinstack.bench.engine import Engine  # noqa: E402
from twinstack.bench.task import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TASK = ROOT / "samples" / "tasks" / "scenarios" / "nova" / "boot-and-delete.yaml"
OUT = ROOT / "benchmarks" / "results" / "bench_reference.json"
REAL_NOVA_RATE = 5.4  # boot+delete per second, 26 machines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """``twinstack serve`` in a child process."""

    def __init__(self, hosts: int) -> None:
        from twinstack.clouds_yaml import cloud_entries
        from twinstack.config import Settings

        self.port = _free_port()
        settings = Settings.from_env(port=self.port, ephemeral=True, write_clouds_yaml=False)
        entry = cloud_entries(settings)[settings.cloud_name]
        self.credential = {
            **entry["auth"],
            "region_name": entry["region_name"],
            "interface": "public",
            "identity_api_version": "3",
        }
        started = time.perf_counter()
        self.proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [
                sys.executable,
                "-c",
                "from twinstack.cli import app; app()",
                "serve",
                "--ephemeral",
                "--no-clouds-yaml",
                "--port",
                str(self.port),
                "--hosts",
                str(hosts),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready()
        self.startup_seconds = time.perf_counter() - started

    def _wait_ready(self, timeout: float = 300) -> None:
        import httpx

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"twinstack serve exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/identity/v3", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("twinstack serve did not answer in time")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the cloud process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _count_servers(conn: Any) -> int:
    return sum(1 for _ in conn.compute.servers(all_projects=True))


def reference(
    times: int, concurrency: int, hosts: int, poll_interval: float, in_process: bool
) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    if in_process:
        from twinstack.testing.server import start_cloud

        handle = start_cloud(ephemeral=True, compute_hosts=hosts)
        credential, stop = dict(handle.cloud_config), handle.stop
        cloud_cpu: Any = None
    else:
        served = Served(hosts)
        credential, stop, cloud_cpu = served.credential, served.stop, served.cpu_seconds
    startup = time.perf_counter() - started
    try:
        env = Env(credential, source="reference", poll=Poll(interval=poll_interval, timeout=600))
        admin = env.admin_connection()
        hypervisors = sum(1 for _ in admin.compute.hypervisors())
        servers_before = _count_servers(admin)
        task = load(TASK, {"times": times, "concurrency": concurrency})
        cpu0 = (cloud_cpu() if cloud_cpu else 0.0, sum(os.times()[:2]))
        run = Engine(task, env=env).run()
        cpu = (cloud_cpu() - cpu0[0] if cloud_cpu else None, sum(os.times()[:2]) - cpu0[1])
        servers_after = _count_servers(admin)
    finally:
        stop()
    w = run["subtasks"][0]["workloads"][0]
    data = w["data"]
    ok = [i for i in data if not i["error"]]
    errors: dict[str, int] = {}
    for i in data:
        if i["error"]:
            key = f"{i['error'][0]}: {i['error'][1][:160]}"
            errors[key] = errors.get(key, 0) + 1
    durations = sorted(i["duration"] for i in ok)
    atomic: dict[str, list[float]] = {}
    for i in ok:
        for a in i["atomic_actions"]:
            atomic.setdefault(a["name"], []).append(a["finished_at"] - a["started_at"])

    def pct(values: list[float], p: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))], 3) if values else 0.0

    rate = len(ok) / w["load_duration"] if w["load_duration"] else 0.0
    return {
        "scenario": "NovaServers.boot_and_delete_server",
        "task": str(TASK.relative_to(ROOT)),
        "cloud": "in-process" if in_process else "twinstack serve (child process)",
        "compute_hosts": hosts,
        "hypervisors_seen": hypervisors,
        "cloud_startup_seconds": round(startup, 2),
        "load_average_before": load_before,
        "compute_latency_seconds": float(os.environ.get("TWINSTACK_COMPUTE_LATENCY", "0.05")),
        "poll_interval_seconds": poll_interval,
        "iterations": len(data),
        "concurrency": concurrency,
        "succeeded": len(ok),
        "errors": errors,
        "load_duration_seconds": round(w["load_duration"], 2),
        "full_duration_seconds": round(w["full_duration"], 2),
        "boot_delete_per_second": round(rate, 2),
        "real_nova_boot_delete_per_second": REAL_NOVA_RATE,
        "real_nova_machines": 26,
        "ratio_to_real_nova": round(rate / REAL_NOVA_RATE, 2),
        "iteration_seconds": {
            "median": pct(durations, 0.5),
            "p90": pct(durations, 0.9),
            "p95": pct(durations, 0.95),
            "max": pct(durations, 1.0),
        },
        "atomic_seconds": {
            name: {"median": pct(v, 0.5), "p90": pct(v, 0.9), "p95": pct(v, 0.95)}
            for name, v in atomic.items()
        },
        "servers_left_behind": servers_after - servers_before,
        # CPU seconds used during the run: which side is the bottleneck on this machine
        "cpu_seconds": {
            "cloud_process": round(cpu[0], 1) if cpu[0] is not None else None,
            "bench_process": round(cpu[1], 1),
        },
        "sla": [{"criterion": s["criterion"], "success": s["success"]} for s in w["sla_results"]["sla"]],
        "stats_table": w["statistics"]["durations"]["rows"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument(
        "--poll-interval",
        type=float,
        nargs="+",
        default=[0.2, 1.0],
        help="one run per value (0.2: twinstack's default; 1.0: Rally's)",
    )
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    runs = [
        reference(args.times, args.concurrency, args.hosts, interval, args.in_process)
        for interval in args.poll_interval
    ]
    best = max(runs, key=lambda r: r["boot_delete_per_second"])
    result = {
        "benchmark": "bench_reference",
        "summary": {
            "scenario": "NovaServers.boot_and_delete_server",
            "iterations": args.times,
            "concurrency": args.concurrency,
            "compute_hosts": args.hosts,
            "boot_delete_per_second": {
                str(r["poll_interval_seconds"]): r["boot_delete_per_second"] for r in runs
            },
            "best_ratio_to_real_nova": best["ratio_to_real_nova"],
            "real_nova": f"{REAL_NOVA_RATE} boot+delete/s on 26 machines",
        },
        "machine": {**describe(), "load_average_at_end": os.getloadavg()},
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("summary", "machine")}, indent=2))


if __name__ == "__main__":
    main()
