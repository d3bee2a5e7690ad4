"""Every service answers its version discovery documents as OpenStack does (CLIENTS.md §2b)."""

from __future__ import annotations

import httpx
import pytest

from twinstack.testing import CloudHandle


@pytest.fixture(scope="module")
def http(twinstack_cloud: CloudHandle) -> httpx.Client:
    with httpx.Client(base_url=twinstack_cloud.url) as client:
        yield client


def test_identity_unversioned_is_300_with_absolute_self_link(
    http: httpx.Client, twinstack_cloud: CloudHandle
) -> None:
    r = http.get("/identity", headers={"Accept": "application/json"})
    assert r.status_code == 300
    (v3,) = r.json()["versions"]["values"]
    assert v3["id"].startswith("v3.") and v3["status"] == "stable"
    assert v3["links"][0]["href"] == twinstack_cloud.url + "/identity/v3/"
    r = http.get("/identity/v3")
    assert r.status_code == 200 and r.json()["version"]["media-types"]


def test_compute_versions_match_tempest_schema(http: httpx.Client) -> None:
    r = http.get("/compute/")
    assert r.status_code == 200
    versions = r.json()["versions"]
    assert [v["id"] for v in versions] == ["v2.0", "v2.1"]
    allowed = {"id", "links", "status", "updated", "version", "min_version", "media-types"}
    for v in versions:
        assert set(v) <= allowed and {"id", "links", "status", "updated"} <= set(v)
    r = http.get("/compute/v2.1")
    assert r.status_code == 200
    assert r.json()["version"]["min_version"] == "2.1"


def test_volume_image_network_placement_discovery(http: httpx.Client) -> None:
    r = http.get("/volume/")
    assert r.status_code == 300
    (v3,) = r.json()["versions"]
    assert {"status", "updated", "id", "links", "min_version", "version", "media-types"} <= set(v3)
    assert http.get("/volume/v3/").status_code == 200
    r = http.get("/image/")
    assert r.status_code == 300 and r.json()["versions"][0]["status"] == "CURRENT"
    r = http.get("/networking/")
    assert r.status_code == 200 and r.json()["versions"][0]["id"] == "v2.0"
    r = http.get("/placement/")
    assert r.status_code == 200 and r.json()["versions"][0]["max_version"].startswith("1.")


def test_every_response_has_a_request_id(http: httpx.Client) -> None:
    for path in ("/identity", "/compute/", "/volume/", "/image/", "/networking/", "/placement/", "/nowhere"):
        assert http.get(path).headers["x-openstack-request-id"].startswith("req-")
