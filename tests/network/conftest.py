"""Fixtures for the networking tests: admin and demo connections and raw HTTP clients."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from twinstack.testing import CloudHandle


@pytest.fixture(scope="session")
def admin(twinstack_conn: Any) -> Any:
    return twinstack_conn


@pytest.fixture(scope="session")
def demo(twinstack_cloud: CloudHandle) -> Iterator[Any]:
    settings = twinstack_cloud.settings
    conn = twinstack_cloud.connect(username="demo", password=settings.demo_password, project_name="demo")
    yield conn
    conn.close()


class Neutron:
    """Raw neutron HTTP calls with a token, for asserting status codes and fault bodies."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=base + "/networking/v2.0", headers={"X-Auth-Token": token}, timeout=30
        )

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.client.request(method, path, json=body, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.request("POST", path, body)

    def put(self, path: str, body: Any = None) -> httpx.Response:
        return self.request("PUT", path, body)

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete(path)


@pytest.fixture(scope="session")
def api(twinstack_cloud: CloudHandle, admin: Any) -> Neutron:
    return Neutron(twinstack_cloud.url, admin.auth_token)


@pytest.fixture(scope="session")
def demo_api(twinstack_cloud: CloudHandle, demo: Any) -> Neutron:
    return Neutron(twinstack_cloud.url, demo.auth_token)


@pytest.fixture
def uniq() -> Callable[[str], str]:
    tag = uuid.uuid4().hex[:8]
    return lambda name: f"{name}-{tag}"


@pytest.fixture
def fault() -> Callable[[httpx.Response, int, str], dict[str, Any]]:
    """``fault(response, status, type)`` asserts a neutron fault and returns its body."""
    return assert_fault


def assert_fault(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """Assert a neutron fault: status, ``{"NeutronError": {"type", "message", "detail"}}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"NeutronError"}, body
    error = body["NeutronError"]
    assert set(error) == {"type", "message", "detail"}, error
    assert error["type"] == kind, error
    return error  # type: ignore[no-any-return]
