"""Microversions are numbers, negotiated and echoed as nova and cinder do."""

from __future__ import annotations

import httpx
import pytest

from twinstack.core.errors import BadRequest, NotAcceptable
from twinstack.core.microversion import APIVersion, MicroversionSpec
from twinstack.testing import CloudHandle

SPEC = MicroversionSpec("compute", "2.1", "2.100", legacy_header="X-OpenStack-Nova-API-Version")


def test_versions_compare_numerically() -> None:
    assert APIVersion.parse("2.100") > APIVersion.parse("2.96")
    assert APIVersion.parse("2.9") < APIVersion.parse("2.10")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "2.1"),
        ({"openstack-api-version": "compute 2.96"}, "2.96"),
        ({"openstack-api-version": "volume 3.5, compute 2.100"}, "2.100"),
        ({"x-openstack-nova-api-version": "2.47"}, "2.47"),
        ({"openstack-api-version": "compute latest"}, "2.100"),
        ({"openstack-api-version": "volume 3.60"}, "2.1"),  # another service's version is ignored
    ],
)
def test_negotiation(headers: dict[str, str], expected: str) -> None:
    assert str(SPEC.negotiate(headers)) == expected


def test_out_of_range_is_406_and_garbage_is_400() -> None:
    with pytest.raises(NotAcceptable, match="Minimum is 2.1 and maximum is 2.100"):
        SPEC.negotiate({"openstack-api-version": "compute 2.101"})
    with pytest.raises(BadRequest, match="invalid format"):
        SPEC.negotiate({"openstack-api-version": "compute 2.x"})


def test_compute_echoes_both_headers_over_http(twinstack_cloud: CloudHandle) -> None:
    conn = twinstack_cloud.connect()
    token = conn.auth_token
    r = httpx.get(
        twinstack_cloud.url + "/compute/v2.1/flavors",
        headers={"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.61"},
    )
    assert r.headers["x-openstack-nova-api-version"] == "2.61"
    assert r.headers["openstack-api-version"] == "compute 2.61"
    assert "OpenStack-API-Version" in r.headers["vary"]
    r = httpx.get(
        twinstack_cloud.url + "/compute/v2.1/flavors",
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 3.0"},
    )
    assert r.status_code == 406
    assert r.json()["computeFault"]["code"] == 406
