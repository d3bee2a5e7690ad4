"""Live progress: iterations done/total, rate, errors and current percentiles per workload.

On a terminal a rich ``Live`` table refreshes a few times a second; elsewhere (CI logs, pipes)
one line is printed when a workload starts and one when it ends.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console, RenderableType
from rich.live import Live
from rich.table import Table

from twinstack.bench.stats import percentile
from twinstack.bench.task import Workload


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}s"


class _Row:
    def __init__(self, workload: Workload, number: int, total: int | None) -> None:
        self.number = number
        self.label = f"{number}. {workload.scenario}"
        self.runner = f"{workload.runner_type} {_runner_brief(workload.runner)}"
        self.total = total
        self.done = 0
        self.errors = 0
        self.durations: list[float] = []
        self.started = time.monotonic()
        self.finished: float | None = None
        self.sla = "running"

    def rate(self) -> float:
        elapsed = (self.finished or time.monotonic()) - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


def _runner_brief(cfg: dict[str, Any]) -> str:
    keys = ("times", "concurrency", "duration", "rps", "max_concurrency")
    return " ".join(f"{k}={cfg[k]}" for k in keys if k in cfg)


class LiveProgress:
    """An engine observer drawing the progress table."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.rows: list[_Row] = []
        self._lock = threading.Lock()
        self._live: Live | None = None
        self.interactive = self.console.is_terminal

    def __enter__(self) -> LiveProgress:
        if self.interactive:
            self._live = Live(self, console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
            self._live = None

    def __rich__(self) -> RenderableType:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for col in ("workload", "runner", "done", "rate", "errors", "p50", "p90", "p95", "SLA"):
            table.add_column(col, justify="left" if col in ("workload", "runner", "SLA") else "right")
        with self._lock:
            rows = [(r, sorted(r.durations)) for r in self.rows]
        for row, values in rows:
            total = "?" if row.total is None else str(row.total)
            sla_style = {"passed": "green", "failed": "red"}.get(row.sla, "yellow")
            table.add_row(
                row.label,
                row.runner,
                f"{row.done}/{total}",
                f"{row.rate():.1f}/s",
                f"[red]{row.errors}[/]" if row.errors else "0",
                _fmt(percentile(values, 0.5)),
                _fmt(percentile(values, 0.9)),
                _fmt(percentile(values, 0.95)),
                f"[{sla_style}]{row.sla}[/]",
            )
        return table

    # -- observer -------------------------------------------------------------------------
    def workload_started(self, workload: Workload, number: int, total: int | None) -> None:
        row = _Row(workload, number, total)
        with self._lock:
            self.rows.append(row)
        if not self.interactive:
            self.console.print(f"{row.label}: {row.runner}", highlight=False)

    def iteration_done(self, result: dict[str, Any], number: int) -> None:
        row = self._row(number)
        with self._lock:
            row.done += 1
            if result["error"]:
                row.errors += 1
            else:
                row.durations.append(result["duration"])

    def _row(self, number: int) -> _Row:
        return next((r for r in self.rows if r.number == number), self.rows[-1])

    def workload_finished(self, record: dict[str, Any], number: int | None = None) -> None:
        row = self._row(number) if number is not None else self.rows[-1]
        row.finished = time.monotonic()
        row.sla = "passed" if record["pass_sla"] else "failed"
        if record.get("error"):
            row.sla = f"crashed: {record['error'][1]}"
        if not self.interactive:
            values = sorted(row.durations)
            self.console.print(
                f"   {row.done} iterations, {row.errors} failed, {row.rate():.1f}/s, "
                f"p50 {_fmt(percentile(values, 0.5))} p95 {_fmt(percentile(values, 0.95))}, "
                f"SLA {row.sla}",
                highlight=False,
            )

    def message(self, text: str) -> None:
        self.console.print(f"[yellow]{text}[/]")
