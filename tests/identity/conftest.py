"""Fixtures for keystone's API tests: raw HTTP with tokens, and users made per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from identity_helpers import Keystone, Member, unique

from twinstack.testing import CloudHandle


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
