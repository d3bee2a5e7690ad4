"""The ``twinstack`` command."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from twinstack import __version__
from twinstack.config import Settings
from twinstack.core.settings import SettingsError

app = typer.Typer(
    help="twinstack: an OpenStack cloud on one laptop, and a Rally-compatible bench.",
    no_args_is_help=True,
    add_completion=False,
)


def say(text: str, **style: object) -> None:
    """A line on stderr. (click's styling: rich costs ~25 ms of start-up to import.)"""
    typer.secho(text, err=True, **style)  # type: ignore[arg-type]


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def bench(ctx: typer.Context) -> None:
    """Run Rally task files and compare runs (twinstack bench --help)."""
    # Loaded only when asked for, so that `twinstack serve` starts without the bench's imports.
    from twinstack.bench.cli import app as bench_app

    typer.main.get_command(bench_app)(args=ctx.args, prog_name="twinstack bench")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8770).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the cloud keeps its state.")] = None,
    ephemeral: Annotated[bool, typer.Option(help="Keep all state in memory.")] = False,
    clouds_yaml: Annotated[bool, typer.Option(help="Write the 'twinstack' entry into clouds.yaml.")] = True,
    admin_password: Annotated[
        str | None, typer.Option(help="Admin password (or TWINSTACK_ADMIN_PASSWORD).")
    ] = None,
    hosts: Annotated[int | None, typer.Option(help="Number of fake hypervisors (default 4).")] = None,
    log_level: Annotated[str, typer.Option(help="Server log level.")] = "warning",
) -> None:
    """Start the cloud: every OpenStack API on one port. Ctrl-C stops it."""
    # Start-up allocates a few hundred thousand long-lived objects (modules, tables, routes) and
    # frees almost none: cyclic GC passes over them would cost ~0.1 s. No GC until the cloud is
    # built, then what it built is frozen (it lives as long as the process; later passes skip it).
    gc.disable()
    try:
        import uvicorn

        from twinstack.core.cloud import Cloud
        from twinstack.server import bind, run, uvicorn_config

        started = time.perf_counter()
        overrides: dict[str, object] = {"host": host, "ephemeral": ephemeral}
        if port is not None:
            overrides["port"] = port
        if data_dir is not None:
            overrides["data_dir"] = data_dir
        if admin_password is not None:
            overrides["admin_password"] = admin_password
        if not clouds_yaml:
            overrides["write_clouds_yaml"] = False
        if hosts is not None:
            overrides["compute_hosts"] = hosts
        try:
            settings = Settings.from_env(**overrides)
        except SettingsError as exc:
            say(f"Invalid setting: {exc}", fg="red")
            raise typer.Exit(2) from None
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            sock = bind(settings.host, settings.port)
        except OSError as exc:
            say(f"Cannot listen on {settings.host}:{settings.port}: {exc.strerror}", fg="red")
            raise typer.Exit(1) from None
        settings.port = sock.getsockname()[1]
        cloud = Cloud(settings)
    finally:
        gc.freeze()
        gc.enable()
    where = "memory (ephemeral)" if settings.ephemeral else str(settings.data_dir)
    bold = typer.style
    say(
        f"{bold(f'twinstack {__version__}', fg='green', bold=True)} serving at "
        f"{bold(settings.base_url(), bold=True)} "
        f"(state in {where}, ready in {time.perf_counter() - started:.2f}s)"
    )
    if settings.write_clouds_yaml:
        from twinstack import clouds_yaml as cy  # PyYAML only when it is needed

        path = cy.write(settings)
        say(
            f"clouds.yaml: wrote entries {bold(settings.cloud_name, bold=True)} (admin) and "
            f"{bold(settings.cloud_name + '-demo', bold=True)} to {path}"
        )
        say(f"  export OS_CLOUD={settings.cloud_name}; openstack token issue")
    else:
        say(
            f"  export OS_AUTH_URL={settings.base_url()}/identity OS_USERNAME=admin "
            "OS_PASSWORD=... OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default "
            "OS_PROJECT_DOMAIN_NAME=Default"
        )
    say("Ctrl-C stops it.")
    server = uvicorn.Server(uvicorn_config(cloud, log_level=log_level))
    with contextlib.suppress(KeyboardInterrupt):
        run(server.serve(sockets=[sock]))
    say("twinstack stopped.")


@app.command()
def version() -> None:
    """Print twinstack's version."""
    typer.echo(__version__)


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
