"""Keystone's default policies: what a project member may and may not do, next to an admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson


def _forbidden(r: object) -> None:
    assert r.status_code == 403, r.text  # type: ignore[attr-defined]
    error = r.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == 403 and error["title"] == "Forbidden"
    assert error["message"].startswith("You are not authorized to perform the requested action: identity:")


def test_member_reads_self_and_own_project(ks: Any, make_member: Callable[..., Any]) -> None:
    me = make_member()
    user = ks.call("GET", f"/v3/users/{me.user_id}", me.token)
    assert user.status_code == 200 and user.json()["user"]["name"] == me.name
    projects = ks.call("GET", f"/v3/users/{me.user_id}/projects", me.token)
    assert [p["id"] for p in projects.json()["projects"]] == [me.project_id]
    assert ks.call("GET", f"/v3/projects/{me.project_id}", me.token).status_code == 200
    assert ks.call("GET", "/v3/domains/default", me.token).json()["domain"]["name"] == "Default"
    assert ks.call("GET", "/v3/regions", me.token).json()["regions"]
    assert ks.call("GET", "/v3/regions/RegionOne", me.token).status_code == 200


def test_member_is_forbidden_admin_work(
    ks: Any, make_member: Callable[..., Any], admin_token: str, unique: Callable[[str], str]
) -> None:
    me = make_member()
    other = make_member()
    _forbidden(ks.call("GET", "/v3/users", me.token))
    _forbidden(ks.call("GET", f"/v3/users/{other.user_id}", me.token))
    _forbidden(ks.call("GET", f"/v3/users/{other.user_id}/projects", me.token))
    _forbidden(ks.call("GET", "/v3/projects", me.token))
    _forbidden(ks.call("GET", f"/v3/projects/{other.project_id}", me.token))
    _forbidden(ks.call("POST", "/v3/projects", me.token, {"project": {"name": unique("nope")}}))
    _forbidden(ks.call("POST", "/v3/users", me.token, {"user": {"name": unique("nope")}}))
    _forbidden(ks.call("GET", "/v3/role_assignments", me.token))
    roles = ks.call("GET", "/v3/roles?name=admin", admin_token).json()["roles"]
    _forbidden(
        ks.call("PUT", f"/v3/projects/{me.project_id}/users/{me.user_id}/roles/{roles[0]['id']}", me.token)
    )
    _forbidden(ks.call("GET", "/v3/services", me.token))
    _forbidden(ks.call("GET", "/v3/endpoints", me.token))
    _forbidden(ks.call("POST", "/v3/services", me.token, {"service": {"type": "x"}}))
    _forbidden(ks.call("POST", "/v3/regions", me.token, {"region": {"id": unique("r")}}))
    _forbidden(ks.call("DELETE", "/v3/regions/RegionOne", me.token))
    # Nothing changed: the admin still sees the region, the names were not taken.
    assert ks.call("GET", "/v3/regions/RegionOne", admin_token).status_code == 200


def test_admin_does_what_member_cannot(ks: Any, admin_token: str, make_member: Callable[..., Any]) -> None:
    me = make_member()
    assert ks.call("GET", "/v3/users", admin_token).status_code == 200
    assert (
        ks.call("GET", f"/v3/users/{me.user_id}/projects", admin_token).json()["projects"][0]["id"]
        == me.project_id
    )
    r = ks.call("GET", f"/v3/role_assignments?user.id={me.user_id}", admin_token)
    assert [a["scope"]["project"]["id"] for a in r.json()["role_assignments"]] == [me.project_id]


def test_member_manages_own_password_app_creds_and_credentials(
    ks: Any, make_member: Callable[..., Any], unique: Callable[[str], str]
) -> None:
    me = make_member()
    other = make_member()
    r = ks.call(
        "POST",
        f"/v3/users/{me.user_id}/application_credentials",
        me.token,
        {"application_credential": {"name": "mine"}},
    )
    assert r.status_code == 201
    cred = r.json()["application_credential"]
    assert [role["name"] for role in cred["roles"]] == ["member", "reader"]
    listed = ks.call("GET", f"/v3/users/{me.user_id}/application_credentials", me.token).json()
    assert [c["name"] for c in listed["application_credentials"]] == ["mine"]
    assert "secret" not in listed["application_credentials"][0]
    _forbidden(ks.call("GET", f"/v3/users/{other.user_id}/application_credentials", me.token))
    _forbidden(
        ks.call(
            "POST",
            f"/v3/users/{other.user_id}/application_credentials",
            me.token,
            {"application_credential": {"name": "theirs"}},
        )
    )
    path = f"/v3/users/{me.user_id}/application_credentials/{cred['id']}"
    assert ks.call("DELETE", path, me.token).status_code == 204

    blob = orjson.dumps({"access": unique("a"), "secret": "s"}).decode()
    r = ks.call(
        "POST",
        "/v3/credentials",
        me.token,
        {"credential": {"user_id": me.user_id, "project_id": me.project_id, "type": "ec2", "blob": blob}},
    )
    assert r.status_code == 201
    _forbidden(
        ks.call(
            "POST",
            "/v3/credentials",
            me.token,
            {"credential": {"user_id": other.user_id, "type": "totp", "blob": "x"}},
        )
    )
    mine = ks.call("GET", "/v3/credentials", me.token).json()["credentials"]
    assert {c["user_id"] for c in mine} == {me.user_id}

    r = ks.call(
        "POST",
        f"/v3/users/{me.user_id}/password",
        me.token,
        {"user": {"original_password": me.password, "password": "n3w-pass"}},
    )
    assert r.status_code == 204 and not r.content
    assert ks.token(me.name, "n3w-pass", me.project_name)


def test_reader_gets_403_for_writes(ks: Any, make_member: Callable[..., Any]) -> None:
    reader = make_member("reader")
    _forbidden(
        ks.call("PATCH", f"/v3/projects/{reader.project_id}", reader.token, {"project": {"description": "x"}})
    )
    assert (
        ks.call("GET", f"/v3/projects/{reader.project_id}", reader.token).json()["project"]["description"]
        == ""
    )
