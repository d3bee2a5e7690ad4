"""Fixtures for the image tests: admin and demo connections, raw HTTP clients with tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from twinstack.testing import CloudHandle


@pytest.fixture(scope="module")
def admin(twinstack_conn: Any) -> Any:
    return twinstack_conn


@pytest.fixture(scope="module")
def demo(twinstack_cloud: CloudHandle) -> Iterator[Any]:
    settings = twinstack_cloud.settings
    conn = twinstack_cloud.connect(username="demo", password=settings.demo_password, project_name="demo")
    yield conn
    conn.close()


def _http(url: str, conn: Any) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/image", headers={"X-Auth-Token": conn.session.get_token()}, timeout=30
    )


@pytest.fixture(scope="module")
def http(twinstack_cloud: CloudHandle, admin: Any) -> Iterator[httpx.Client]:
    with _http(twinstack_cloud.url, admin) as client:
        yield client


@pytest.fixture(scope="module")
def demo_http(twinstack_cloud: CloudHandle, demo: Any) -> Iterator[httpx.Client]:
    with _http(twinstack_cloud.url, demo) as client:
        yield client


@pytest.fixture
def name() -> str:
    return f"img-{uuid.uuid4().hex[:10]}"
