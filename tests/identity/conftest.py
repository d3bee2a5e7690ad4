"""Fixtures for keystone's API tests: raw HTTP with tokens, and users made per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from twinstack.testing import CloudHandle


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Keystone:
    """A small keystone client over httpx: what the tests send and see on the wire."""

    client: httpx.Client

    def token(
        self,
        user: str,
        password: str,
        project: str | None = None,
        *,
        domain: str = "Default",
        scope: dict[str, Any] | None = None,
    ) -> str:
        auth: dict[str, Any] = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}},
            }
        }
        if project:
            auth["scope"] = {"project": {"name": project, "domain": {"name": domain}}}
        elif scope:
            auth["scope"] = scope
        r = self.client.post("/v3/auth/tokens", json={"auth": auth})
        assert r.status_code == 201, r.text
        return r.headers["X-Subject-Token"]

    def call(self, method: str, path: str, token: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"X-Auth-Token": token, **kw.pop("headers", {})}
        return self.client.request(method, path, json=body, headers=headers, **kw)


@dataclass
class Member:
    user_id: str
    name: str
    password: str
    project_id: str
    project_name: str
    token: str


@pytest.fixture(name="unique")
def unique_fixture() -> Callable[[str], str]:
    """``unique("proj")`` gives a name no other test uses."""
    return unique


@pytest.fixture(scope="module")
def ks(twinstack_cloud: CloudHandle) -> Iterator[Keystone]:
    with httpx.Client(base_url=twinstack_cloud.url + "/identity") as client:
        yield Keystone(client)


@pytest.fixture(scope="module")
def admin_token(ks: Keystone, twinstack_cloud: CloudHandle) -> str:
    return ks.token("admin", twinstack_cloud.settings.admin_password, "admin")


@pytest.fixture
def make_member(ks: Keystone, admin_token: str) -> Callable[..., Member]:
    """A new project and a user with ``role`` on it (member by default), with a project token."""

    def make(role: str = "member") -> Member:
        project = ks.call("POST", "/v3/projects", admin_token, {"project": {"name": unique("proj")}}).json()
        password = unique("pw")
        user = ks.call(
            "POST",
            "/v3/users",
            admin_token,
            {
                "user": {
                    "name": unique("user"),
                    "password": password,
                    "default_project_id": project["project"]["id"],
                }
            },
        ).json()["user"]
        roles = ks.call("GET", f"/v3/roles?name={role}", admin_token).json()["roles"]
        pid = project["project"]["id"]
        r = ks.call("PUT", f"/v3/projects/{pid}/users/{user['id']}/roles/{roles[0]['id']}", admin_token)
        assert r.status_code == 204
        token = ks.token(user["name"], password, project["project"]["name"])
        return Member(user["id"], user["name"], password, pid, project["project"]["name"], token)

    return make
