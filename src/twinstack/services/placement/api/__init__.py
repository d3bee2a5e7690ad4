"""Placement's HTTP API. Every path negotiates a microversion (``placement X``)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import BadRequest, placement_fault
from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.core.microversion import MicroversionSpec
from twinstack.core.validation import first_error

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.placement.service import PlacementService

MIN_VERSION = "1.0"
MAX_VERSION = "1.39"
MICROVERSIONS = MicroversionSpec("placement", MIN_VERSION, MAX_VERSION)

TOPICS = ("discovery", "providers", "inventories", "allocations", "candidates", "traits", "resource_classes")


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi(
        "placement", fault=placement_fault, microversions=MICROVERSIONS, microversion_prefixes=("/",)
    )
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.placement.api.{topic}").register(api)
    return api


def placement(req: ApiRequest) -> PlacementService:
    return req.cloud.service("placement")  # type: ignore[no-any-return]


def check(schema: dict[str, Any], body: Any) -> None:
    """Validate a body as placement does: 400 "JSON does not validate: ..."."""
    error = first_error(schema, body)
    if error is not None:
        raise BadRequest(f"JSON does not validate: {error.message}", kind="placement.undefined_code")


def require_mv(req: ApiRequest, version: str) -> None:
    """Routes added in a later microversion answer 404 below it, as placement does."""
    if not req.ctx.mv(version):
        from twinstack.core.errors import NotFound

        raise NotFound("The resource could not be found.")


def single(req: ApiRequest, name: str) -> str | None:
    values = req.query.getlist(name)
    if len(values) > 1 and req.ctx.mv("1.0"):
        raise BadRequest(
            f"Query parameter '{name}' can only be specified once.", kind="placement.query.duplicate_key"
        )
    return values[0] if values else None


def rp_links(uuid: str, req: ApiRequest) -> list[dict[str, str]]:
    base = f"/placement/resource_providers/{uuid}"
    links = [
        {"rel": "self", "href": base},
        {"rel": "inventories", "href": base + "/inventories"},
        {"rel": "usages", "href": base + "/usages"},
    ]
    if req.ctx.mv("1.1"):
        links.append({"rel": "aggregates", "href": base + "/aggregates"})
    if req.ctx.mv("1.6"):
        links.append({"rel": "traits", "href": base + "/traits"})
    if req.ctx.mv("1.11"):
        links.append({"rel": "allocations", "href": base + "/allocations"})
    return links


def cache_headers(req: ApiRequest, when: Any = None) -> dict[str, str]:
    """From 1.15 placement answers GETs with last-modified and cache-control."""
    if not req.ctx.mv("1.15"):
        return {}
    from email.utils import format_datetime

    when = when or req.cloud.clock.now()
    return {"last-modified": format_datetime(when, usegmt=True), "cache-control": "no-cache"}
