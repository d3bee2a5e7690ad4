"""Run results as files: ``<results dir>/<run id>/run.json``, one directory per run.

The results directory is ``--results-dir``, else ``$TWINSTACK_BENCH_DIR``, else
``./.twinstack-bench``. A run is named by its id, a unique prefix of it, ``last``, or a path to
a run directory or its ``run.json``.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

import orjson

RUN_FILE = "run.json"
FORMAT = "twinstack-bench/1"


class RunNotFound(Exception):
    pass


def results_dir(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("TWINSTACK_BENCH_DIR") or ".twinstack-bench")


def new_run_id(now: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now or time.time()))
    return f"{stamp}-{secrets.token_hex(3)}"


def save(run: dict[str, Any], directory: Path) -> Path:
    """Write the run atomically; returns the path of run.json."""
    run_dir = directory / run["uuid"]
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / RUN_FILE
    tmp = run_dir / f".{RUN_FILE}.tmp"
    tmp.write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY, default=str))
    tmp.replace(target)
    return target


def read(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise RunNotFound(f"cannot read run file {path}: {exc}") from exc
    if not isinstance(data, dict) or "subtasks" not in data:
        raise RunNotFound(f"{path} is not a twinstack bench run")
    return data


def list_runs(directory: Path) -> list[dict[str, Any]]:
    """All runs, oldest first (unreadable directories are skipped)."""
    runs = []
    if not directory.is_dir():
        return runs
    for child in sorted(directory.iterdir()):
        file = child / RUN_FILE
        if file.is_file():
            try:
                runs.append(read(file))
            except RunNotFound:
                continue
    runs.sort(key=lambda r: r.get("created_at", 0))
    return runs


def load(ref: str, directory: Path) -> dict[str, Any]:
    """Find a run by id, unique id prefix, ``last``, or a path."""
    path = Path(ref)
    if path.is_file():
        return read(path)
    if (path / RUN_FILE).is_file():
        return read(path / RUN_FILE)
    if ref in ("last", "latest"):
        runs = list_runs(directory)
        if not runs:
            raise RunNotFound(f"no runs in {directory}")
        return runs[-1]
    if (directory / ref / RUN_FILE).is_file():
        return read(directory / ref / RUN_FILE)
    matches = [c for c in directory.iterdir() if c.name.startswith(ref)] if directory.is_dir() else []
    if len(matches) == 1 and (matches[0] / RUN_FILE).is_file():
        return read(matches[0] / RUN_FILE)
    if len(matches) > 1:
        names = ", ".join(sorted(m.name for m in matches))
        raise RunNotFound(f"{ref!r} matches several runs: {names}")
    raise RunNotFound(f"no run {ref!r} in {directory}")
