"""Tokens die as keystone's die: deleted or disabled user, changed password, removed grant,
deleted application credential, disabled project."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _alive(ks: Any, token: str) -> bool:
    r = ks.call("GET", "/v3/auth/catalog", token)
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def test_deleted_user_token_is_401(ks: Any, admin_token: str, make_member: Callable[..., Any]) -> None:
    me = make_member()
    assert _alive(ks, me.token)
    assert ks.call("DELETE", f"/v3/users/{me.user_id}", admin_token).status_code == 204
    r = ks.call("GET", "/v3/auth/catalog", me.token)
    assert r.status_code == 401 and r.json()["error"]["code"] == 401
    assert "WWW-Authenticate" in r.headers
    check = ks.call("HEAD", "/v3/auth/tokens", admin_token, headers={"X-Subject-Token": me.token})
    assert check.status_code == 404


def test_disabled_user_and_password_change(
    ks: Any, admin_token: str, make_member: Callable[..., Any]
) -> None:
    me = make_member()
    ks.call("PATCH", f"/v3/users/{me.user_id}", admin_token, {"user": {"password": "other-pw"}})
    assert not _alive(ks, me.token)
    fresh = ks.token(me.name, "other-pw", me.project_name)
    assert _alive(ks, fresh)
    ks.call("PATCH", f"/v3/users/{me.user_id}", admin_token, {"user": {"enabled": False}})
    assert not _alive(ks, fresh)


def test_removed_grant_revokes_that_project_only(
    ks: Any, admin_token: str, make_member: Callable[..., Any]
) -> None:
    me = make_member()
    other = make_member()
    member = ks.call("GET", "/v3/roles?name=member", admin_token).json()["roles"][0]["id"]
    grant = f"/v3/projects/{other.project_id}/users/{me.user_id}/roles/{member}"
    assert ks.call("PUT", grant, admin_token).status_code == 204
    assert ks.call("HEAD", grant, admin_token).status_code == 204
    second = ks.token(me.name, me.password, other.project_name)
    assert ks.call("DELETE", grant, admin_token).status_code == 204
    assert ks.call("HEAD", grant, admin_token).status_code == 404
    assert not _alive(ks, second)
    assert _alive(ks, me.token)


def test_deleted_app_cred_and_disabled_project(
    ks: Any, admin_token: str, make_member: Callable[..., Any]
) -> None:
    me = make_member()
    r = ks.call(
        "POST",
        f"/v3/users/{me.user_id}/application_credentials",
        me.token,
        {"application_credential": {"name": "ci", "secret": "given-secret"}},
    )
    cred = r.json()["application_credential"]
    assert cred["secret"] == "given-secret"
    body = {
        "auth": {
            "identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": cred["id"], "secret": "given-secret"},
            }
        }
    }
    r = ks.client.post("/v3/auth/tokens", json=body)
    assert r.status_code == 201
    ac_token = r.headers["X-Subject-Token"]
    assert r.json()["token"]["application_credential"]["id"] == cred["id"]
    assert (
        ks.call(
            "DELETE", f"/v3/users/{me.user_id}/application_credentials/{cred['id']}", me.token
        ).status_code
        == 204
    )
    assert not _alive(ks, ac_token)
    assert ks.client.post("/v3/auth/tokens", json=body).status_code == 401
    ks.call("PATCH", f"/v3/projects/{me.project_id}", admin_token, {"project": {"enabled": False}})
    assert not _alive(ks, me.token)
