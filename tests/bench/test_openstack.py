"""OpenStack scenarios and contexts against an in-process twinstack (identity for now)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twinstack.bench.cloud import Env, Poll
from twinstack.bench.engine import EXIT_OK, Engine, exit_code
from twinstack.bench.task import loads
from twinstack.bench.validation import validate

server = pytest.importorskip("twinstack.testing.server")


@pytest.fixture(scope="module")
def handle() -> Iterator[Any]:
    h = server.start_cloud(ephemeral=True)
    yield h
    h.stop()


@pytest.fixture(scope="module")
def env(handle: Any) -> Env:
    return Env(dict(handle.cloud_config), source="test", poll=Poll(interval=0.05))


def run_task(env: Env, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    task = loads(
        json.dumps({"version": 2, "title": "os", "subtasks": [{"title": "s", "workloads": workloads}]})
    )
    assert validate(task) == []
    return Engine(task, env=env).run()


def rally_names(env: Env) -> dict[str, list[str]]:
    ident = env.admin_connection().identity
    return {
        kind: [r.name for r in getattr(ident, kind)() if r.name.startswith("rally_")]
        for kind in ("users", "projects", "roles")
    }


def test_keystone_scenarios_pass_and_leave_nothing_behind(env: Env) -> None:
    before = rally_names(env)
    once = {"constant": {"times": 2, "concurrency": 2}}
    run = run_task(
        env,
        [
            {
                "scenario": {"Authenticate.keystone": {}},
                "runner": once,
                "contexts": {
                    "users": {"tenants": 2, "users_per_tenant": 2, "user_choice_method": "round_robin"}
                },
            },
            {"scenario": {"KeystoneBasic.create_user": {}}, "runner": once},
            {"scenario": {"KeystoneBasic.create_delete_user": {}}, "runner": once},
            {"scenario": {"KeystoneBasic.create_and_list_users": {}}, "runner": once},
            {"scenario": {"KeystoneBasic.create_tenant_with_users": {"users_per_tenant": 2}}, "runner": once},
            {
                "scenario": {"KeystoneBasic.add_and_remove_user_role": {}},
                "runner": once,
                "contexts": {"users": {}},
            },
            {"scenario": {"KeystoneBasic.create_and_delete_role": {}}, "runner": once},
            {
                "scenario": {"KeystoneBasic.authenticate_user_and_validate_token": {}},
                "runner": once,
                "contexts": {"users": {}},
            },
        ],
    )
    workloads = run["subtasks"][0]["workloads"]
    failures = {w["name"]: [i["error"][:2] for i in w["data"] if i["error"]] for w in workloads}
    assert all(not f for f in failures.values()), failures
    assert exit_code(run) == EXIT_OK
    actions = {r["name"] for w in workloads for r in w["statistics"]["durations"]["rows"]}
    assert {
        "authenticate.keystone",
        "keystone_v3.create_user",
        "keystone_v3.delete_user",
        "keystone_v3.list_users",
        "keystone_v3.create_project",
        "keystone_v3.add_role",
        "keystone_v3.revoke_role",
        "keystone_v3.fetch_token",
        "keystone_v3.validate_token",
    } <= actions
    cleanups = [c for w in workloads for c in w["contexts_results"] if c["cleanup"] and c["cleanup"]["error"]]
    assert cleanups == []
    assert rally_names(env) == before


def test_vmtasks_fails_with_data_plane_message(env: Env) -> None:
    run = run_task(
        env,
        [
            {
                "scenario": {
                    "VMTasks.boot_runcommand_delete": {
                        "flavor": {"name": "m1.nano"},
                        "image": {"name": "^cirros.*uec$"},
                        "username": "cirros",
                        "floating_network": "public",
                        "command": {"script_file": "x.sh", "interpreter": "/bin/sh"},
                    }
                },
                "runner": {"constant": {"times": 1}},
            }
        ],
    )
    (it,) = run["subtasks"][0]["workloads"][0]["data"]
    assert it["error"][0] == "DataPlaneRequired"
    assert "needs a data plane" in it["error"][1] and "SSH" in it["error"][1]


def test_context_failure_is_reported_not_raised(env: Env) -> None:
    run = run_task(
        env, [{"scenario": {"Authenticate.keystone": {}}, "contexts": {"roles": ["no-such-role-anywhere"]}}]
    )
    w = run["subtasks"][0]["workloads"][0]
    assert w["status"] == "crashed" and "no-such-role-anywhere" in w["error"][1]


SAMPLE = Path(__file__).resolve().parents[2] / "samples/tasks/scenarios/keystone/create-user.yaml"


def _cli_run(tmp_path: Path, *args: str) -> Any:
    from typer.testing import CliRunner

    from twinstack.bench.cli import app

    return CliRunner().invoke(
        app,
        [
            "run",
            str(SAMPLE),
            "--task-args",
            "{times: 2, concurrency: 2}",
            "--results-dir",
            str(tmp_path / "results"),
            "-q",
            *args,
        ],
    )


@pytest.fixture
def no_os_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for var in [v for v in os.environ if v.startswith("OS_")]:
        monkeypatch.delenv(var)
    return monkeypatch


def test_run_against_a_clouds_yaml_cloud(handle: Any, tmp_path: Path, no_os_env: pytest.MonkeyPatch) -> None:
    clouds = handle.write_clouds_yaml(tmp_path / "clouds.yaml")
    no_os_env.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    result = _cli_run(tmp_path, "--cloud", handle.settings.cloud_name)
    assert result.exit_code == 0, result.output
    assert f"clouds.yaml: {handle.settings.cloud_name}" in result.output


def test_run_with_os_variables(handle: Any, tmp_path: Path, no_os_env: pytest.MonkeyPatch) -> None:
    cfg = handle.cloud_config
    for var, key in (
        ("OS_AUTH_URL", "auth_url"),
        ("OS_USERNAME", "username"),
        ("OS_PASSWORD", "password"),
        ("OS_PROJECT_NAME", "project_name"),
        ("OS_USER_DOMAIN_NAME", "user_domain_name"),
        ("OS_PROJECT_DOMAIN_NAME", "project_domain_name"),
        ("OS_REGION_NAME", "region_name"),
    ):
        no_os_env.setenv(var, str(cfg[key]))
    result = _cli_run(tmp_path)
    assert result.exit_code == 0, result.output
    assert "OS_* environment variables" in result.output
