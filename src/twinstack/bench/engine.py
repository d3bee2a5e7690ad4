"""The engine: runs a validated task workload by workload and builds the run record.

Per workload: contexts are set up (by order), the runner starts iterations, every result is
streamed to the SLA checker, hooks and the observer (progress display), then contexts are
cleaned up in reverse, also after an abort. ``abort()`` once is soft (no new iterations, wait for
running ones, clean up); twice is hard (stop waiting for running iterations, clean up).
"""

from __future__ import annotations

import copy
import random
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any, Protocol

from twinstack.bench import registry, results, stats
from twinstack.bench.contexts.base import ContextError, ContextManager
from twinstack.bench.hooks import HookExecutor
from twinstack.bench.sla import SLAChecker
from twinstack.bench.task import Task, Workload
from twinstack.bench.timeouts import Watchdog
from twinstack.bench.types import Resolver

EXIT_OK, EXIT_ERROR, EXIT_SLA = 0, 1, 2


class Observer(Protocol):
    def workload_started(self, workload: Workload, number: int, total: int | None) -> None: ...
    def iteration_done(self, result: dict[str, Any], number: int) -> None: ...
    def workload_finished(self, record: dict[str, Any], number: int) -> None: ...
    def message(self, text: str) -> None: ...


class NullObserver:
    def workload_started(self, workload: Workload, number: int, total: int | None) -> None:
        pass

    def iteration_done(self, result: dict[str, Any], number: int) -> None:
        pass

    def workload_finished(self, record: dict[str, Any], number: int) -> None:
        pass

    def message(self, text: str) -> None:
        pass


def format_exc(exc: BaseException) -> list[str]:
    """Rally's error triple: [type, message, traceback]."""
    return [
        type(exc).__name__,
        str(exc),
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    ]


def needs_cloud(task: Task) -> bool:
    """True if any workload's scenario or context talks to OpenStack."""
    for w in task.workloads:
        try:
            if registry.get("scenario", w.scenario).PLATFORM == "openstack":
                return True
            if any(registry.get("context", c).PLATFORM == "openstack" for c in w.contexts):
                return True
        except registry.PluginError:
            continue
    return False


class WorkloadRun:
    """One workload: contexts, runner, streaming SLA and hooks."""

    def __init__(self, engine: Engine, workload: Workload, number: int) -> None:
        self.engine = engine
        self.workload = workload
        self.number = number
        self.scenario_cls = registry.get("scenario", workload.scenario)
        self.runner_cls = registry.get("runner", workload.runner_type)
        self.sla = SLAChecker(workload.sla)
        self.hooks = HookExecutor(workload.hooks)
        self.resolver = Resolver(self.scenario_cls.ARG_TYPES)
        self.iterations: list[dict[str, Any]] = []
        self.stop = threading.Event()  # no new iterations (soft abort or SLA abort)
        self._lock = threading.Lock()
        self.ctx: dict[str, Any] = {}
        users_cfg = workload.contexts.get("users") or {}
        self.choice = users_cfg.get("user_choice_method", "random")

    # -- one iteration ------------------------------------------------------------------
    def _iteration_context(self, i: int) -> dict[str, Any]:
        ctx = dict(self.ctx)
        ctx["iteration"] = i
        users = ctx.get("users") or []
        if users:
            user = users[(i - 1) % len(users)] if self.choice == "round_robin" else random.choice(users)
            ctx["user"] = user
            ctx["tenant"] = ctx.get("tenants", {}).get(user.get("tenant_id"), {})
        return ctx

    def execute(self, i: int) -> None:
        self.hooks.on_iteration(i)
        ctx = self._iteration_context(i)
        args = copy.deepcopy(self.workload.args)
        scenario = None
        error: list[str] = []
        timestamp = time.time()
        started = time.perf_counter()
        try:
            guard = self.watchdog.guard() if self.watchdog else None
            if guard:
                guard.__enter__()
            try:
                scenario = self.scenario_cls(ctx)
                if self.resolver.types:
                    project = str(ctx.get("tenant", {}).get("id", ""))
                    self.resolver.resolve(args, scenario.clients, project)
                scenario.run(**args)
            finally:
                if guard:
                    guard.__exit__(None, None, None)
        except Exception as exc:  # noqa: BLE001 - every failure is an iteration result
            error = format_exc(exc)
        elapsed = time.perf_counter() - started
        idle = scenario.idle_duration() if scenario else 0.0
        result = {
            "duration": elapsed - idle,
            "timestamp": timestamp,
            "idle_duration": idle,
            "error": error,
            "output": scenario._output if scenario else {"additive": [], "complete": []},
            "atomic_actions": scenario.atomic_actions() if scenario else [],
        }
        self._record(result)

    def _record(self, result: dict[str, Any]) -> None:
        with self._lock:
            self.iterations.append(result)
        ok = self.sla.add_iteration(result)
        if not ok and self.engine.abort_on_sla_failure and not self.stop.is_set():
            self.sla.aborted_on_sla = True
            self.engine.sla_aborted = True
            self.stop.set()
            self.engine.observer.message(f"SLA failed, aborting: {self.sla.first_failure}")
        self.engine.observer.iteration_done(result, self.number)

    # -- the whole workload ---------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        w = self.workload
        record: dict[str, Any] = {
            "uuid": str(uuid.uuid4()),
            "position": w.position,
            "name": w.scenario,
            "description": w.description or registry.doc(self.scenario_cls),
            "args": w.args,
            "runner_type": w.runner_type,
            "runner": w.runner,
            "contexts": w.contexts,
            "sla": w.sla,
            "hooks": [],
            "created_at": time.time(),
            "start_time": None,
            "status": "running",
        }
        self.ctx = {
            "env": self.engine.env,
            "task": self.engine.task_info,
            "config": w.contexts,
            "abort_event": self.engine.hard_abort,
            "owner_id": record["uuid"],
            "users": [],
            "tenants": {},
            "admin": self.engine.env.admin if self.engine.env else None,
        }
        timeout = self.runner_cls.iteration_timeout(w.runner)
        self.watchdog = Watchdog(timeout) if timeout > 0 else None
        contexts = dict(w.contexts)
        if self.scenario_cls.PLATFORM == "openstack" and not {"cleanup", "admin_cleanup"} & set(contexts):
            contexts["cleanup"] = []  # delete what the scenarios create, even if not asked to
        manager = ContextManager(contexts, self.ctx)
        total = self.runner_cls.total_iterations(w.runner)
        self.engine.observer.workload_started(w, self.number, total)
        started = time.time()
        crashed: list[str] | None = None
        try:
            manager.setup()
            if self.engine.env is not None and not self.ctx["users"]:
                self.ctx["users"] = self.engine.env.default_users()
                self.ctx["tenants"] = {
                    u["tenant_id"]: {"id": u["tenant_id"], "name": u.get("project_name")}
                    for u in self.ctx["users"]
                }
            self._run_runner()
        except ContextError as exc:
            crashed = format_exc(exc)
        except Exception as exc:  # noqa: BLE001 - the engine records, the CLI reports
            crashed = format_exc(exc)
        finally:
            load_end = time.time()
            if manager.contexts:
                self.engine.observer.message(f"cleaning up {len(manager._done)} context(s)")
            manager.cleanup()
            if self.watchdog:
                self.watchdog.stop()
        self.sla.aborted_manually = self.engine.aborted and not self.sla.aborted_on_sla
        with self._lock:
            iterations = sorted(self.iterations, key=lambda r: r["timestamp"])
        record.update(stats.workload_numbers(iterations))
        record.update(
            {
                "start_time": min((it["timestamp"] for it in iterations), default=started),
                "full_duration": time.time() - started,
                "load_end": load_end,
                "hooks": self.hooks.results(),
                "contexts_results": manager.results,
                "sla_results": {"sla": self.sla.results()},
                "pass_sla": self.sla.passed() and crashed is None,
                "statistics": {"durations": {"rows": stats.stats_table(iterations)}},
                "data": iterations,
                "error": crashed,
                "status": "crashed" if crashed else ("aborted" if self.engine.aborted else "finished"),
                "updated_at": time.time(),
            }
        )
        self.engine.observer.workload_finished(record, self.number)
        return record

    def _run_runner(self) -> None:
        runner = self.runner_cls(self.workload.runner, self.execute, self.stop)
        self.engine._current.append(self)
        try:
            runner.run()
            while not runner.join(0.1):
                if self.engine.hard_abort.is_set():
                    self.engine.observer.message("hard stop: not waiting for running iterations")
                    return
                if self.engine.aborted:
                    self.stop.set()
        finally:
            self.engine._current.remove(self)


class Engine:
    def __init__(
        self,
        task: Task,
        env: Any = None,
        abort_on_sla_failure: bool = False,
        observer: Observer | None = None,
        results_directory: Path | None = None,
        tags: list[str] | None = None,
    ) -> None:
        self.task = task
        self.env = env
        self.abort_on_sla_failure = abort_on_sla_failure
        self.observer: Observer = observer or NullObserver()
        self.results_directory = results_directory
        self.tags = tags or []
        self.run_id = results.new_run_id()
        self.task_info = {"uuid": self.run_id, "name_tag": uuid.uuid4().hex[:8]}
        self.aborted = False
        self.sla_aborted = False
        self.hard_abort = threading.Event()
        self._current: list[WorkloadRun] = []

    def abort(self, hard: bool = False) -> None:
        """First call: soft abort. With ``hard`` (or a second call): stop waiting too."""
        if self.aborted or hard:
            self.hard_abort.set()
        self.aborted = True
        for run in list(self._current):
            run.stop.set()

    def run(self) -> dict[str, Any]:
        created = time.time()
        record: dict[str, Any] = {
            "format": results.FORMAT,
            "uuid": self.run_id,
            "title": self.task.title,
            "description": self.task.description,
            "tags": self.task.tags + self.tags,
            "created_at": created,
            "status": "running",
            "input_task": self.task.source,
            "task_args": self.task.args,
            "env": self.env.describe() if self.env else None,
            "subtasks": [],
        }
        self._save(record)
        number = 0
        crashed = False
        for sub in self.task.subtasks:
            sub_record: dict[str, Any] = {
                "uuid": str(uuid.uuid4()),
                "title": sub.title,
                "description": sub.description,
                "tags": sub.tags,
                "run_in_parallel": sub.run_in_parallel,
                "created_at": time.time(),
                "workloads": [],
            }
            record["subtasks"].append(sub_record)
            if self.aborted or crashed or self.sla_aborted:
                sub_record["status"] = "skipped"
                continue
            runs = []
            for w in sub.workloads:
                number += 1
                runs.append(WorkloadRun(self, w, number))
            if sub.run_in_parallel and len(runs) > 1:
                out: list[dict[str, Any]] = [{} for _ in runs]

                def _go(k: int, r: WorkloadRun, out: list[dict[str, Any]] = out) -> None:
                    out[k] = r.run()

                threads = [threading.Thread(target=_go, args=(k, r), daemon=True) for k, r in enumerate(runs)]
                for t in threads:
                    t.start()
                for t in threads:
                    while t.is_alive():
                        t.join(0.1)
                sub_record["workloads"] = out
            else:
                for r in runs:
                    if self.aborted or crashed or self.sla_aborted:
                        break
                    wrec = r.run()
                    sub_record["workloads"].append(wrec)
                    crashed = crashed or wrec["status"] == "crashed"
                    self._save(record)
            crashed = crashed or any(w["status"] == "crashed" for w in sub_record["workloads"])
            sub_record["status"] = _status(sub_record["workloads"], self.aborted)
            sub_record["pass_sla"] = all(w["pass_sla"] for w in sub_record["workloads"])
        workloads = [w for s in record["subtasks"] for w in s["workloads"]]
        record["pass_sla"] = all(w["pass_sla"] for w in workloads)
        record["status"] = _status(workloads, self.aborted)
        record["updated_at"] = time.time()
        self._save(record)
        return record

    def _save(self, record: dict[str, Any]) -> None:
        if self.results_directory is not None:
            results.save(record, self.results_directory)


def _status(workloads: list[dict[str, Any]], aborted: bool) -> str:
    if any(w.get("status") == "crashed" for w in workloads):
        return "crashed"
    if aborted:
        return "aborted"
    if not all(w.get("pass_sla") for w in workloads):
        return "sla_failed"
    return "finished"


def exit_code(run: dict[str, Any]) -> int:
    """Rally's: 0 all good, 1 the run failed (crash, abort), 2 an SLA failed."""
    if run.get("status") in ("crashed", "aborted", "running"):
        return EXIT_ERROR
    return EXIT_OK if run.get("pass_sla") else EXIT_SLA
