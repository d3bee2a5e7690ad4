"""Nova's HTTP API. Every path under /v2.1 (and /v2) negotiates a microversion.

Routes are declared once per topic module (``register(api)``) under both ``/v2.1`` and ``/v2``
(nova's legacy v2 endpoint answers the same at microversion 2.1).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import BadRequest, Forbidden, NotFound, nova_fault
from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.core.microversion import MicroversionSpec
from twinstack.core.validation import validate

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.compute.service import ComputeService

MIN_VERSION = "2.1"
MAX_VERSION = "2.100"
MICROVERSIONS = MicroversionSpec(
    "compute", MIN_VERSION, MAX_VERSION, legacy_header="X-OpenStack-Nova-API-Version"
)

TOPICS = (
    "discovery",
    "servers",
    "server_actions",
    "server_extras",
    "flavors",
    "keypairs",
    "server_groups",
    "hosts",
    "quotas",
    "migrations",
    "images",
    "network_proxies",
    "legacy",
    "volume_attachments",
    "volume_proxies",
)


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi(
        "compute",
        fault=nova_fault,
        microversions=MICROVERSIONS,
        microversion_prefixes=("/v2.1", "/v2/"),
        request_id_headers=("x-openstack-request-id", "x-compute-request-id"),
    )
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.compute.api.{topic}").register(api)
    return api


def route(
    api: ServiceApi,
    method: str,
    path: str,
    handler: Callable[[ApiRequest], Any],
    *,
    status: int = 200,
    body: str = "json",
) -> None:
    """Declare ``path`` under /v2.1 and /v2."""
    api.add(method, "/v2.1" + path, handler, status=status, body=body)
    api.add(method, "/v2" + path, handler, status=status, body=body)


def compute(req: ApiRequest) -> ComputeService:
    return req.cloud.service("compute")  # type: ignore[no-any-return]


def check(schema: dict[str, Any], body: Any) -> None:
    validate(schema, body, style="nova")


def admin_only(req: ApiRequest, rule: str) -> None:
    if not req.ctx.is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def since(req: ApiRequest, version: str) -> None:
    """A route that appears at ``version``: below it nova answers 404."""
    if not req.ctx.mv(version):
        raise NotFound("The resource could not be found.")


def until(req: ApiRequest, version: str) -> None:
    """A route removed after ``version``: from the next microversion nova answers 404."""
    from twinstack.core.microversion import APIVersion

    if req.ctx.microversion is not None and req.ctx.microversion > APIVersion.parse(version):
        raise NotFound("The resource could not be found.")


def api_url(req: ApiRequest, suffix: str) -> str:
    return req.url_for("/compute/v2.1" + suffix)


def bookmark(req: ApiRequest, suffix: str) -> str:
    return req.url_for("/compute" + suffix)


def links(req: ApiRequest, collection: str, item_id: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": api_url(req, f"/{collection}/{item_id}")},
        {"rel": "bookmark", "href": bookmark(req, f"/{collection}/{item_id}")},
    ]


def int_param(req: ApiRequest, name: str, minimum: int = 0) -> int | None:
    value = req.query.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is not a 'integer'"
        ) from None
    if number < minimum:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {value}. {value} is less than the "
            f"minimum of {minimum}"
        )
    return number


def normalize_ipv6(body: dict[str, Any]) -> None:
    """Nova keeps ``accessIPv6`` in its compressed form (``::babe:dc0c:1602``)."""
    import ipaddress

    value = body.get("accessIPv6")
    if value:
        try:
            body["accessIPv6"] = ipaddress.IPv6Address(value).compressed
        except ValueError:
            raise BadRequest(
                f"Invalid input for field/attribute accessIPv6. Value: {value}. '{value}' is not a 'ipv6'"
            ) from None


def bool_param(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("1", "true", "t", "yes", "y", "on"):
        return True
    if lowered in ("0", "false", "f", "no", "n", "off"):
        return False
    raise BadRequest(f"Invalid boolean value: {value}")
