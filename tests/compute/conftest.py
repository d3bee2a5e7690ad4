"""Compute test helpers: a fast fake fleet, a cirros image, polling that records what a client sees."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


@pytest.fixture(scope="session", autouse=True)
def fast_fleet(twinstack_cloud: Any) -> Iterator[None]:
    """Small per-action latency: every step still takes time, so a polling client sees BUILD first."""
    config = twinstack_cloud.cloud.service("compute").config
    old = config.latency
    config.latency = 0.02
    yield
    config.latency = old


@pytest.fixture(scope="session")
def image_id(twinstack_conn: Any) -> str:
    image = next((i for i in twinstack_conn.image.images() if i.name and "cirros" in i.name), None)
    assert image is not None, "the image service seeds a cirros image"
    return str(image.id)


class Nova:
    """Raw HTTP to nova with a chosen microversion (for bodies exactly as a client sees them)."""

    def __init__(self, url: str, token: str) -> None:
        self.base = url + "/compute/v2.1"
        self.token = token
        self.client = httpx.Client(timeout=30)

    def __call__(self, method: str, path: str, version: str = "2.1", **kw: Any) -> httpx.Response:
        headers = {
            "X-Auth-Token": self.token,
            "X-OpenStack-Nova-API-Version": version,
            **kw.pop("headers", {}),
        }
        return self.client.request(method, self.base + path, headers=headers, **kw)

    def wait(self, server_id: str, until: set[str], timeout: float = 20) -> tuple[dict[str, Any], list[str]]:
        """Poll like a client; return the final server and the statuses seen (deduplicated, in order)."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            r = self("GET", f"/servers/{server_id}", version="2.100")
            if r.status_code == 404:
                seen.append("DELETED")
                return {}, seen
            server = r.json()["server"]
            if not seen or seen[-1] != server["status"]:
                seen.append(server["status"])
            if server["status"] in until and server["OS-EXT-STS:task_state"] is None:
                return server, seen
            if server["status"] == "ERROR" and "ERROR" not in until:
                raise AssertionError(f"server went to ERROR: {server.get('fault')}")
            assert time.monotonic() < deadline, f"timed out waiting for {until}; saw {seen}"
            time.sleep(0.005)

    def wait_gone(self, server_id: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self("GET", f"/servers/{server_id}").status_code != 404:
            assert time.monotonic() < deadline, f"server {server_id} was not deleted"
            time.sleep(0.005)


@pytest.fixture(scope="session")
def nova(twinstack_cloud: Any, twinstack_conn: Any) -> Nova:
    return Nova(twinstack_cloud.url, twinstack_conn.auth_token)


def boot(nova: Nova, image_id: str, name: str, version: str = "2.100", **extra: Any) -> dict[str, Any]:
    server: dict[str, Any] = {"name": name, "flavorRef": "42", "imageRef": image_id, **extra}
    if int(version.split(".")[1]) >= 37:
        server.setdefault("networks", "none")
    body = {"server": server}
    r = nova("POST", "/servers", version=version, json=body)
    assert r.status_code == 202, r.text
    return r.json()["server"]


class InProcessCLI:
    """The real ``openstack`` shell (``openstackclient.shell.main``) run in this process.

    Same commands, parsing, API calls and output as the ``openstack`` executable, without the
    ~1.5 s interpreter start and plugin scan of each subprocess (the session ``cli`` fixture
    still runs the executable itself where a test wants it).
    """

    def __init__(self, clouds_yaml: Path, cloud: str = "twinstack") -> None:
        self.env = {"OS_CLIENT_CONFIG_FILE": str(clouds_yaml), "OS_CLOUD": cloud}

    def run(self, *args: str) -> str:
        from openstackclient import shell

        out, err = io.StringIO(), io.StringIO()
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = shell.main(list(args))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        if code != 0:
            raise AssertionError(f"openstack {' '.join(args)} failed ({code}):\n{err.getvalue()}")
        return out.getvalue()

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-f", "json"))


@pytest.fixture(scope="session")
def osc(twinstack_clouds_yaml: Path) -> InProcessCLI:
    return InProcessCLI(twinstack_clouds_yaml)
