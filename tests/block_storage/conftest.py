"""Block storage test helpers: a raw HTTP client on cinder's endpoint, pollers, schemas."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from twinstack.testing import CloudHandle

TERMINAL = {"available", "error", "in-use", "error_extending", "error_deleting", "error_restoring"}


class Cinder:
    """httpx on ``/volume/v3/{project}`` with the admin token and a chosen microversion."""

    def __init__(self, cloud: CloudHandle, token: str, project_id: str, version: str = "3.0") -> None:
        self.cloud = cloud
        self.project_id = project_id
        self.version = version
        self.base = f"{cloud.url}/volume/v3/{project_id}"
        self.client = httpx.Client(headers={"X-Auth-Token": token}, timeout=30)

    def at(self, version: str) -> Cinder:
        other = Cinder.__new__(Cinder)
        other.__dict__.update(self.__dict__)
        other.version = version
        return other

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"OpenStack-API-Version": f"volume {self.version}", **kw.pop("headers", {})}
        url = path if path.startswith("http") else self.base + path
        return self.client.request(method, url, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.request("POST", path, json=body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def create_volume(self, **volume: Any) -> dict[str, Any]:
        volume.setdefault("size", 1)
        volume.setdefault("name", "t-" + uuid.uuid4().hex[:8])
        r = self.post("/volumes", {"volume": volume})
        assert r.status_code == 202, r.text
        return r.json()["volume"]  # type: ignore[no-any-return]

    def wait_volume(
        self, volume_id: str, statuses: set[str] | None = None, timeout: float = 15
    ) -> dict[str, Any]:
        want = statuses or TERMINAL
        deadline = time.monotonic() + timeout
        while True:
            r = self.get(f"/volumes/{volume_id}")
            assert r.status_code == 200, r.text
            vol = r.json()["volume"]
            if vol["status"] in want or time.monotonic() > deadline:
                return vol  # type: ignore[no-any-return]
            time.sleep(0.02)

    def wait_gone(self, path: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.get(path).status_code != 404:
            assert time.monotonic() < deadline, f"{path} still there"
            time.sleep(0.02)

    def wait_snapshot(self, snapshot_id: str, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            snap = self.get(f"/snapshots/{snapshot_id}").json()["snapshot"]
            if snap["status"] not in ("creating", "deleting") or time.monotonic() > deadline:
                return snap  # type: ignore[no-any-return]
            time.sleep(0.02)


@pytest.fixture(scope="session")
def cinder(twinstack_cloud: CloudHandle, twinstack_conn: Any) -> Iterator[Cinder]:
    client = Cinder(twinstack_cloud, twinstack_conn.auth_token, twinstack_conn.current_project_id)
    yield client
    client.client.close()


def check_keys(obj: dict[str, Any], required: set[str], optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Tempest's ``required`` + ``additionalProperties: false``, the part that catches us out."""
    missing = required - set(obj)
    extra = set(obj) - required - set(optional)
    assert not missing, f"missing keys {missing}"
    assert not extra, f"unexpected keys {extra}"
