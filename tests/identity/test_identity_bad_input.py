"""Bad input gets keystone's status and error body, and nothing stored changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


def _error(r: httpx.Response, code: int, title: str) -> str:
    assert r.status_code == code, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["title"] == title
    assert "Traceback" not in r.text
    return str(body["error"]["message"])


def _count(ks: Any, token: str, path: str, key: str, name: str) -> int:
    return len(ks.call("GET", f"{path}?name={name}", token).json()[key])


def test_schema_errors_are_400(ks: Any, admin_token: str, unique: Callable[[str], str]) -> None:
    cases: list[tuple[str, str, Any]] = [
        ("/v3/projects", "project", {"project": {"name": 42}}),
        ("/v3/projects", "project", {"project": {"description": "no name"}}),
        ("/v3/projects", "project", {"project": {"name": "x" * 65}}),
        ("/v3/projects", "project", {"project": {"name": unique("p"), "enabled": "yes"}}),
        ("/v3/projects", "project", {"project": {"name": unique("p"), "tags": ["a/b"]}}),
        ("/v3/projects", "project", {"nothing": {}}),
        ("/v3/users", "user", {"user": {"name": ""}}),
        ("/v3/domains", "domain", {"domain": {"name": unique("d"), "enabled": 1}}),
        (
            "/v3/endpoints",
            "endpoint",
            {"endpoint": {"service_id": "abc", "interface": "private", "url": "http://x"}},
        ),
        ("/v3/endpoints", "endpoint", {"endpoint": {"service_id": "abc", "interface": "public"}}),
        ("/v3/services", "service", {"service": {"name": "no type"}}),
    ]
    for path, _kind, body in cases:
        message = _error(ks.call("POST", path, admin_token, body), 400, "Bad Request")
        assert message.startswith("Invalid input"), message


def test_malformed_json_and_huge_body(ks: Any, admin_token: str, unique: Callable[[str], str]) -> None:
    r = ks.client.post(
        "/v3/projects",
        content=b"{not json",
        headers={"X-Auth-Token": admin_token, "Content-Type": "application/json"},
    )
    _error(r, 400, "Bad Request")
    name = unique("huge")
    r = ks.call(
        "POST", "/v3/projects", admin_token, {"project": {"name": name, "description": "x" * 200_000}}
    )
    _error(r, 413, "Request Entity Too Large")
    assert _count(ks, admin_token, "/v3/projects", "projects", name) == 0


def test_unknown_ids_are_404_with_keystone_wording(ks: Any, admin_token: str) -> None:
    for kind, path in (
        ("project", "/v3/projects"),
        ("user", "/v3/users"),
        ("group", "/v3/groups"),
        ("role", "/v3/roles"),
        ("domain", "/v3/domains"),
        ("region", "/v3/regions"),
        ("service", "/v3/services"),
        ("endpoint", "/v3/endpoints"),
        ("credential", "/v3/credentials"),
    ):
        message = _error(ks.call("GET", f"{path}/nope", admin_token), 404, "Not Found")
        assert message == f"Could not find {kind}: nope."


def test_duplicate_names_are_409_and_store_nothing(
    ks: Any, admin_token: str, unique: Callable[[str], str]
) -> None:
    name = unique("dup")
    assert ks.call("POST", "/v3/projects", admin_token, {"project": {"name": name}}).status_code == 201
    message = _error(
        ks.call("POST", "/v3/projects", admin_token, {"project": {"name": name}}), 409, "Conflict"
    )
    assert message == (
        f"Conflict occurred attempting to store project - Duplicate entry found with name {name} "
        "at domain ID default."
    )
    assert _count(ks, admin_token, "/v3/projects", "projects", name) == 1
    assert ks.call("POST", "/v3/users", admin_token, {"user": {"name": name}}).status_code == 201
    message = _error(ks.call("POST", "/v3/users", admin_token, {"user": {"name": name}}), 409, "Conflict")
    assert message.endswith(f"Duplicate entry found with name {name} at domain ID default.")
    assert ks.call("POST", "/v3/groups", admin_token, {"group": {"name": name}}).status_code == 201
    _error(ks.call("POST", "/v3/groups", admin_token, {"group": {"name": name}}), 409, "Conflict")
    assert ks.call("POST", "/v3/roles", admin_token, {"role": {"name": name}}).status_code == 201
    _error(ks.call("POST", "/v3/roles", admin_token, {"role": {"name": name}}), 409, "Conflict")


def test_enabled_domain_cannot_be_deleted(ks: Any, admin_token: str, unique: Callable[[str], str]) -> None:
    domain = ks.call("POST", "/v3/domains", admin_token, {"domain": {"name": unique("dom")}}).json()["domain"]
    message = _error(ks.call("DELETE", f"/v3/domains/{domain['id']}", admin_token), 403, "Forbidden")
    assert message == "Cannot delete a domain that is enabled, please disable it first."
    assert ks.call("GET", f"/v3/domains/{domain['id']}", admin_token).status_code == 200
    assert (
        ks.call(
            "PATCH", f"/v3/domains/{domain['id']}", admin_token, {"domain": {"enabled": False}}
        ).status_code
        == 200
    )
    assert ks.call("DELETE", f"/v3/domains/{domain['id']}", admin_token).status_code == 204
    assert ks.call("GET", f"/v3/domains/{domain['id']}", admin_token).status_code == 404


def test_project_with_children_cannot_be_deleted(
    ks: Any, admin_token: str, unique: Callable[[str], str]
) -> None:
    parent = ks.call("POST", "/v3/projects", admin_token, {"project": {"name": unique("par")}}).json()[
        "project"
    ]
    child = ks.call(
        "POST", "/v3/projects", admin_token, {"project": {"name": unique("kid"), "parent_id": parent["id"]}}
    ).json()["project"]
    assert child["parent_id"] == parent["id"] and child["domain_id"] == "default"
    _error(ks.call("DELETE", f"/v3/projects/{parent['id']}", admin_token), 403, "Forbidden")
    missing_parent = ks.call(
        "POST", "/v3/projects", admin_token, {"project": {"name": unique("x"), "parent_id": "nope"}}
    )
    assert _error(missing_parent, 404, "Not Found") == "Could not find project: nope."


def test_unknown_query_parameters_are_ignored(ks: Any, admin_token: str) -> None:
    r = ks.call("GET", "/v3/projects?bogus=1&name=admin", admin_token)
    assert r.status_code == 200 and [p["name"] for p in r.json()["projects"]] == ["admin"]
    links = r.json()["links"]
    assert links["self"].endswith("/identity/v3/projects?bogus=1&name=admin")
    assert links["previous"] is None and links["next"] is None
