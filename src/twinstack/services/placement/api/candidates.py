"""``GET /allocation_candidates`` (1.10+): one unnumbered request group, root providers."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, placement, require_mv
from twinstack.services.placement.api.providers import parse_member_of, parse_required, parse_resources
from twinstack.services.placement.service import CandidateQuery


def allocation_candidates(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.10")
    svc = placement(req)
    q = req.query
    known = {
        "resources",
        "limit",
        "required",
        "member_of",
        "in_tree",
        "group_policy",
        "root_required",
        "same_subtree",
    }
    granular = [
        k for k in q if k not in known and k.startswith(("resources", "required", "member_of", "in_tree"))
    ]
    if granular:
        raise BadRequest(
            "Granular (numbered) request groups are not supported by twinstack yet: "
            f"{', '.join(sorted(granular))}"
        )
    unknown = sorted(k for k in q if k not in known)
    if unknown:
        raise BadRequest(
            f"Invalid query string parameters: Additional properties are not allowed "
            f"('{unknown[0]}' was unexpected)"
        )
    if "resources" not in q:
        raise BadRequest("Invalid query string parameters: 'resources' is a required property")
    resources = parse_resources(q["resources"])
    svc.check_resource_classes(resources)
    query = CandidateQuery(resources)
    limit = None
    if "limit" in q and req.ctx.mv("1.16"):
        try:
            limit = int(q["limit"])
            if limit < 1:
                raise ValueError
        except ValueError:
            raise BadRequest(
                f"Invalid query string parameters: '{q['limit']}' does not match '^[1-9][0-9]*$'"
            ) from None
    if "required" in q and req.ctx.mv("1.17"):
        query.required, query.forbidden, query.any_traits = parse_required(req, q.getlist("required"))
    if "member_of" in q and req.ctx.mv("1.21"):
        query.member_of, query.not_member_of = parse_member_of(req)
    if "in_tree" in q and req.ctx.mv("1.31"):
        query.in_tree = q["in_tree"]
    if "root_required" in q and req.ctx.mv("1.35"):
        for t in q["root_required"].split(","):
            (query.root_forbidden if t.startswith("!") else query.root_required).add(t.lstrip("!"))
    found = svc.candidates(query, limit)
    requests: list[dict[str, Any]] = []
    summaries: dict[str, Any] = {}
    dict_form = req.ctx.mv("1.12")
    for p in found:
        if dict_form:
            item: dict[str, Any] = {"allocations": {p.uuid: {"resources": dict(resources)}}}
            if req.ctx.mv("1.34"):
                item["mappings"] = {"": [p.uuid]}
        else:
            item = {"allocations": [{"resource_provider": {"uuid": p.uuid}, "resources": dict(resources)}]}
        requests.append(item)
        classes = p.inventories if req.ctx.mv("1.27") else resources
        summary: dict[str, Any] = {
            "resources": {
                rc: {"capacity": p.inventories[rc].capacity, "used": p.used.get(rc, 0)} for rc in classes
            }
        }
        if req.ctx.mv("1.17"):
            summary["traits"] = sorted(p.traits)
        if req.ctx.mv("1.29"):
            summary["parent_provider_uuid"] = p.parent_uuid
            summary["root_provider_uuid"] = p.root_uuid
        summaries[p.uuid] = summary
    return ApiResponse(
        {"allocation_requests": requests, "provider_summaries": summaries}, headers=cache_headers(req)
    )


def register(api: ServiceApi) -> None:
    api.add("GET", "/allocation_candidates", allocation_candidates)
