"""`twinstack serve` as a user runs it: clouds.yaml, persistence across restarts, Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from twinstack.clouds_yaml import write
from twinstack.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_clouds_yaml_keeps_other_entries(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"prod": {"auth": {"auth_url": "https://x"}}}}))
    write(Settings.from_env(port=9999, write_clouds_yaml=True), path)
    clouds = yaml.safe_load(path.read_text())["clouds"]
    assert clouds["prod"] == {"auth": {"auth_url": "https://x"}}
    assert clouds["twinstack"]["auth"]["auth_url"] == "http://127.0.0.1:9999/identity"
    assert clouds["twinstack-demo"]["auth"]["project_name"] == "demo"


def _start(home: Path, data: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "twinstack.cli", "serve", "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/identity").status_code == 300:
                return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(proc.communicate()[0])


def _token(port: int) -> httpx.Response:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": "secret"}},
            },
            "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
        }
    }
    return httpx.post(f"http://127.0.0.1:{port}/identity/v3/auth/tokens", json=body)


def test_state_and_tokens_survive_restart_and_ctrl_c_stops(tmp_path: Path) -> None:
    port = free_port()
    proc = _start(tmp_path, tmp_path / "data", port)
    try:
        issued = _token(port)
        token = issued.headers["x-subject-token"]
        user_id = issued.json()["token"]["user"]["id"]
        clouds = yaml.safe_load((tmp_path / ".config/openstack/clouds.yaml").read_text())["clouds"]
        assert clouds["twinstack"]["auth"]["auth_url"] == f"http://127.0.0.1:{port}/identity"
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=15)[0]
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert (tmp_path / "data" / "twinstack.sqlite").exists()

    proc = _start(tmp_path, tmp_path / "data", port)
    try:
        again = _token(port)
        assert again.json()["token"]["user"]["id"] == user_id  # same bootstrap, not a new one
        r = httpx.get(
            f"http://127.0.0.1:{port}/identity/v3/auth/tokens",
            headers={"X-Auth-Token": again.headers["x-subject-token"], "X-Subject-Token": token},
        )
        assert r.status_code == 200  # a token from before the restart is still valid
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
