"""``twinstack bench``: run, validate, report, compare, list, show, sla-check, plugins."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from twinstack.bench import registry, results
from twinstack.bench.cloud import CloudError, Poll, open_env
from twinstack.bench.engine import EXIT_ERROR, Engine, exit_code, needs_cloud
from twinstack.bench.progress import LiveProgress
from twinstack.bench.task import Task, TaskError, load, parse_task_args
from twinstack.bench.validation import validate

app = typer.Typer(
    help="Rally-compatible benchmarks: run task files against any OpenStack cloud.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

TaskArgs = Annotated[str | None, typer.Option("--task-args", help="Task arguments, JSON or YAML.")]
TaskArgsFile = Annotated[Path | None, typer.Option("--task-args-file", help="File of task arguments.")]
ResultsDir = Annotated[
    Path | None,
    typer.Option(
        "--results-dir", envvar="TWINSTACK_BENCH_DIR", help="Results directory [./.twinstack-bench]."
    ),
]


def _load_task(task_file: Path, task_args: str | None, task_args_file: Path | None) -> Task:
    try:
        task = load(task_file, parse_task_args(task_args, task_args_file))
    except TaskError as exc:
        err.print(f"[red]Invalid task {task_file}:[/]", highlight=False)
        for path, msg in exc.issues:
            err.print(f"  {path + ': ' if path else ''}{msg}", highlight=False, markup=False)
        raise typer.Exit(EXIT_ERROR) from None
    issues = validate(task)
    if issues:
        err.print(f"[red]Invalid task {task_file}:[/]", highlight=False)
        for path, msg in issues:
            err.print(f"  {path}: {msg}", highlight=False, markup=False)
        raise typer.Exit(EXIT_ERROR)
    return task


def _load_run(ref: str, results_dir: Path | None) -> dict[str, Any]:
    try:
        return results.load(ref, results.results_dir(results_dir))
    except results.RunNotFound as exc:
        err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(EXIT_ERROR) from None


@app.command("validate")
def validate_cmd(task_file: Path, task_args: TaskArgs = None, task_args_file: TaskArgsFile = None) -> None:
    """Check a task file (template, format, plugins, arguments) without running it."""
    task = _load_task(task_file, task_args, task_args_file)
    out.print(
        f"Task {task_file} is valid: {len(task.workloads)} workload(s) in {len(task.subtasks)} subtask(s).",
        highlight=False,
    )


class _Interrupts:
    """First Ctrl-C: soft abort. Second: hard stop (contexts are still cleaned up)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.previous: Any = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            err.print(
                "[yellow]Aborting: no new iterations; waiting for running ones, then "
                "cleaning up. Ctrl-C again to stop waiting.[/]"
            )
            self.engine.abort()
        elif self.count == 2:
            err.print("[red]Hard stop: cleaning up contexts now. Ctrl-C again to quit at once.[/]")
            self.engine.abort(hard=True)
        else:
            raise KeyboardInterrupt


@app.command("run")
def run_cmd(
    task_file: Path,
    task_args: TaskArgs = None,
    task_args_file: TaskArgsFile = None,
    cloud: Annotated[str | None, typer.Option(help="Cloud name in clouds.yaml.")] = None,
    results_dir: ResultsDir = None,
    abort_on_sla_failure: Annotated[
        bool, typer.Option("--abort-on-sla-failure", help="Stop at the first SLA failure.")
    ] = False,
    tag: Annotated[list[str] | None, typer.Option(help="Tag the run (repeatable).")] = None,
    poll_interval: Annotated[float, typer.Option(help="Seconds between status polls.")] = 0.2,
    poll_timeout: Annotated[float, typer.Option(help="Seconds to wait for a status.")] = 300.0,
    html: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Run a task file. Exit status: 0 ok, 1 run error, 2 SLA failed."""
    task = _load_task(task_file, task_args, task_args_file)
    env = None
    if needs_cloud(task):
        try:
            env = open_env(cloud, Poll(interval=poll_interval, timeout=poll_timeout))
        except CloudError as exc:
            err.print(f"[red]{exc}[/]", highlight=False)
            raise typer.Exit(EXIT_ERROR) from None
        err.print(f"cloud: {env.source}", highlight=False)
    directory = results.results_dir(results_dir)
    progress = LiveProgress(Console(stderr=True, quiet=quiet))
    engine = Engine(
        task,
        env=env,
        abort_on_sla_failure=abort_on_sla_failure,
        observer=progress,
        results_directory=directory,
        tags=tag or [],
    )
    try:
        with _Interrupts(engine), progress:
            run = engine.run()
    finally:
        if env is not None:
            env.close()
    _print_summary(run)
    out.print(f"run {run['uuid']} saved in {directory / run['uuid']}", highlight=False)
    if html is not None:
        from twinstack.bench.report.html import render_html

        html.write_text(render_html([run]))
        out.print(f"HTML report: {html}", highlight=False)
    raise typer.Exit(exit_code(run))


def _print_summary(run: dict[str, Any]) -> None:
    table = Table(title=f"{run['title']} ({run['status']})")
    for col in ("workload", "iterations", "failed", "load (s)", "median (s)", "95%ile (s)", "SLA"):
        table.add_column(col)
    for sub in run["subtasks"]:
        for w in sub["workloads"]:
            total = next(r for r in w["statistics"]["durations"]["rows"] if r["name"] == "total")
            table.add_row(
                w["name"],
                str(w["total_iteration_count"]),
                str(w["failed_iteration_count"]),
                f"{w['load_duration']:.2f}",
                _num(total["median"]),
                _num(total["95%ile"]),
                "[green]passed[/]" if w["pass_sla"] else "[red]failed[/]",
            )
    out.print(table)
    for sub in run["subtasks"]:
        for w in sub["workloads"]:
            if w.get("error"):
                out.print(f"[red]{w['name']} crashed: {w['error'][0]}: {w['error'][1]}[/]", highlight=False)
            for ctx in w.get("contexts_results", []):
                if ctx.get("cleanup") and ctx["cleanup"].get("error"):
                    out.print(
                        f"[yellow]cleanup of {ctx['plugin_name']} failed: "
                        f"{ctx['cleanup']['error']['msg']}[/]",
                        highlight=False,
                    )


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@app.command("report")
def report_cmd(
    runs: Annotated[list[str], typer.Argument(help="Run ids (or prefixes, 'last', paths).")],
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML report.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write Rally-style JSON ('-': stdout).")
    ] = None,
    junit_xml: Annotated[Path | None, typer.Option("--junit-xml", help="Write JUnit XML.")] = None,
    results_dir: ResultsDir = None,
) -> None:
    """Export runs as HTML, JSON or JUnit XML (several runs go into one report)."""
    loaded = [_load_run(r, results_dir) for r in runs]
    if not (html or json_out or junit_xml):
        err.print("[red]choose at least one of --html, --json, --junit-xml[/]")
        raise typer.Exit(EXIT_ERROR)
    if html:
        from twinstack.bench.report.html import render_html

        html.write_text(render_html(loaded))
        out.print(f"HTML report: {html}", highlight=False)
    if json_out:
        from twinstack.bench.report.exports import to_json

        text = to_json(loaded)
        if str(json_out) == "-":
            sys.stdout.write(text + "\n")
        else:
            json_out.write_text(text)
            out.print(f"JSON report: {json_out}", highlight=False)
    if junit_xml:
        from twinstack.bench.report.exports import to_junit

        junit_xml.write_text(to_junit(loaded))
        out.print(f"JUnit XML report: {junit_xml}", highlight=False)


@app.command("compare")
def compare_cmd(
    run_a: str,
    run_b: str,
    html: Annotated[Path | None, typer.Option(help="Write the comparison as HTML.")] = None,
    results_dir: ResultsDir = None,
) -> None:
    """Compare two runs workload by workload: durations, success, change in percent."""
    from twinstack.bench.report.compare import compare, compare_table

    a, b = _load_run(run_a, results_dir), _load_run(run_b, results_dir)
    comparison = compare(a, b)
    out.print(compare_table(comparison))
    if html:
        from twinstack.bench.report.html import render_compare_html

        html.write_text(render_compare_html(a, b, comparison))
        out.print(f"HTML comparison: {html}", highlight=False)


@app.command("list")
def list_cmd(results_dir: ResultsDir = None) -> None:
    """List the runs in the results directory, oldest first."""
    directory = results.results_dir(results_dir)
    runs = results.list_runs(directory)
    if not runs:
        out.print(f"no runs in {directory}", highlight=False)
        return
    table = Table()
    for col in ("run", "title", "status", "workloads", "SLA", "tags"):
        table.add_column(col)
    for run in runs:
        workloads = sum(len(s["workloads"]) for s in run["subtasks"])
        table.add_row(
            run["uuid"],
            run["title"],
            run["status"],
            str(workloads),
            "passed" if run.get("pass_sla") else "failed",
            ", ".join(run.get("tags", [])),
        )
    out.print(table)


@app.command("show")
def show_cmd(
    run_ref: Annotated[str, typer.Argument(metavar="RUN")],
    iterations: Annotated[bool, typer.Option(help="Also list every iteration.")] = False,
    results_dir: ResultsDir = None,
) -> None:
    """Show a run: per workload stats table, SLA results and failures."""
    run = _load_run(run_ref, results_dir)
    out.print(f"[bold]{run['title']}[/]  run {run['uuid']}  status {run['status']}", highlight=False)
    for sub in run["subtasks"]:
        for w in sub["workloads"]:
            out.print(
                f"\n[bold]{w['name']}[/] ({w['runner_type']} {json.dumps(w['runner'])})", highlight=False
            )
            table = Table()
            for col in ("Action", "Min", "Median", "90%ile", "95%ile", "Max", "Avg", "Success", "Count"):
                table.add_column(col)
            for row in w["statistics"]["durations"]["rows"]:
                table.add_row(
                    "  " * row["depth"] + row["name"],
                    *(_num(row[k]) for k in ("min", "median", "90%ile", "95%ile", "max", "avg")),
                    row["success"],
                    str(row["iteration_count"]),
                )
            out.print(table)
            for sla in w["sla_results"]["sla"]:
                mark = "[green]ok[/]" if sla["success"] else "[red]FAIL[/]"
                out.print(f"  SLA {mark} {sla['criterion']}: {sla['detail']}", highlight=False)
            for n, it in enumerate(w["data"], 1):
                if it["error"]:
                    out.print(
                        f"  iteration {n}: [red]{escape(it['error'][0])}: {escape(it['error'][1])}[/]",
                        highlight=False,
                    )
                elif iterations:
                    out.print(f"  iteration {n}: {it['duration']:.3f}s", highlight=False)


@app.command("sla-check")
def sla_check_cmd(
    run_ref: Annotated[str, typer.Argument(metavar="RUN")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    results_dir: ResultsDir = None,
) -> None:
    """Print every SLA result; exit 0 only if all passed (the CI gate)."""
    run = _load_run(run_ref, results_dir)
    rows = [
        {
            "benchmark": w["name"],
            "pos": w["position"],
            "criterion": s["criterion"],
            "status": "PASS" if s["success"] else "FAIL",
            "detail": s["detail"],
        }
        for sub in run["subtasks"]
        for w in sub["workloads"]
        for s in w["sla_results"]["sla"]
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        table = Table()
        for col in ("benchmark", "pos", "criterion", "status", "detail"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["benchmark"], str(r["pos"]), r["criterion"], r["status"], r["detail"])
        out.print(table)
    failed = any(r["status"] == "FAIL" for r in rows) or run.get("status") == "crashed"
    raise typer.Exit(1 if failed else 0)


@app.command("plugins")
def plugins_cmd(
    kind: Annotated[
        str | None, typer.Argument(help="scenario, runner, context, sla, hook_action, hook_trigger...")
    ] = None,
    name: Annotated[str | None, typer.Argument()] = None,
) -> None:
    """List plugins (by kind), or show one plugin's documentation."""
    if kind and name:
        try:
            cls = registry.get(kind, name)
        except registry.PluginError as exc:
            err.print(f"[red]{exc}[/]", highlight=False)
            raise typer.Exit(EXIT_ERROR) from None
        import inspect

        out.print(f"[bold]{kind} {name}[/]\n", highlight=False)
        out.print(inspect.getdoc(cls) or inspect.getdoc(getattr(cls, "run", None)) or "", markup=False)
        schema = getattr(cls, "CONFIG_SCHEMA", None)
        if schema:
            out.print("\nconfig schema:", json.dumps(schema, indent=2), markup=False)
        return
    table = Table()
    table.add_column("kind")
    table.add_column("name")
    table.add_column("description")
    for k in [kind] if kind else registry.kinds():
        for n in registry.list(k):
            table.add_row(k, n, registry.doc(registry.get(k, n)))
    out.print(table)
