"""What every service does with requests, whatever the route: auth, faults, limits."""

from __future__ import annotations

import httpx
import pytest

from twinstack.testing import CloudHandle


@pytest.fixture(scope="module")
def token(twinstack_cloud: CloudHandle) -> str:
    return str(twinstack_cloud.connect().auth_token)


def test_no_token_is_401_in_keystone_shape_everywhere(twinstack_cloud: CloudHandle) -> None:
    for path in (
        "/compute/v2.1/servers",
        "/networking/v2.0/networks",
        "/identity/v3/users",
        "/image/v2/images",
    ):
        r = httpx.get(twinstack_cloud.url + path)
        assert r.status_code == 401, path
        assert r.json()["error"]["code"] == 401
        assert r.headers["www-authenticate"].startswith("Keystone uri=")


def test_forged_token_is_401(twinstack_cloud: CloudHandle, token: str) -> None:
    forged = token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8)
    r = httpx.get(twinstack_cloud.url + "/identity/v3/auth/catalog", headers={"X-Auth-Token": forged})
    assert r.status_code == 401


def test_malformed_json_is_400_not_500(twinstack_cloud: CloudHandle) -> None:
    r = httpx.post(
        twinstack_cloud.url + "/identity/v3/auth/tokens",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["title"] == "Bad Request"


def test_huge_body_is_413(twinstack_cloud: CloudHandle) -> None:
    r = httpx.post(
        twinstack_cloud.url + "/identity/v3/auth/tokens",
        content=b"{" + b" " * 200_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == 413


def test_unknown_path_of_a_service_is_501_in_that_services_shape(
    twinstack_cloud: CloudHandle, token: str
) -> None:
    r = httpx.get(twinstack_cloud.url + "/placement/not-a-thing", headers={"X-Auth-Token": token})
    assert r.status_code == 501
    assert r.json()["errors"][0]["status"] == 501


def test_wrong_method_is_405(twinstack_cloud: CloudHandle, token: str) -> None:
    r = httpx.request(
        "PATCH", twinstack_cloud.url + "/identity/v3/auth/tokens", headers={"X-Auth-Token": token}
    )
    assert r.status_code == 405
    assert "allow" in r.headers


def test_empty_replies_have_no_json_content_type(twinstack_cloud: CloudHandle) -> None:
    conn = twinstack_cloud.connect()
    subject = twinstack_cloud.connect().auth_token
    r = httpx.delete(
        twinstack_cloud.url + "/identity/v3/auth/tokens",
        headers={"X-Auth-Token": conn.auth_token, "X-Subject-Token": subject},
    )
    assert r.status_code == 204
    assert "content-type" not in r.headers
    assert r.content == b""
