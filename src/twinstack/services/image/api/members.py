"""Image members: ``/v2/images/{id}/members[/{member_id}]``."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ServiceApi


def _body(req: ApiRequest) -> Any:
    if req.body is None:
        raise BadRequest("Body expected in request.")
    return req.body


def create_member(req: ApiRequest) -> dict[str, Any]:
    body = _body(req)
    if not isinstance(body, dict):
        raise BadRequest('Expected a member in the form: {"member": "image_id"}')
    if "member" not in body:
        raise BadRequest("Member to be added not specified")
    member = body["member"]
    if not member:
        raise BadRequest("Member can't be empty")
    if not isinstance(member, str):
        raise BadRequest('Expected a member in the form: {"member": "image_id"}')
    return req.cloud.service("image").add_member(req.ctx, req.path["image_id"], member)


def update_member(req: ApiRequest) -> dict[str, Any]:
    body = _body(req)
    if not isinstance(body, dict):
        raise BadRequest('Expected a status in the form: {"status": "status"}')
    if "status" not in body:
        raise BadRequest("Status not specified")
    return req.cloud.service("image").update_member(
        req.ctx, req.path["image_id"], req.path["member_id"], body["status"]
    )


def list_members(req: ApiRequest) -> dict[str, Any]:
    members = req.cloud.service("image").list_members(req.ctx, req.path["image_id"])
    return {"members": members, "schema": "/v2/schemas/members"}


def show_member(req: ApiRequest) -> dict[str, Any]:
    return req.cloud.service("image").get_member(req.ctx, req.path["image_id"], req.path["member_id"])


def delete_member(req: ApiRequest) -> None:
    req.cloud.service("image").delete_member(req.ctx, req.path["image_id"], req.path["member_id"])


def register(api: ServiceApi) -> None:
    api.add("POST", "/v2/images/{image_id}/members", create_member)
    api.add("GET", "/v2/images/{image_id}/members", list_members)
    api.add("GET", "/v2/images/{image_id}/members/{member_id}", show_member)
    api.add("PUT", "/v2/images/{image_id}/members/{member_id}", update_member)
    api.add("DELETE", "/v2/images/{image_id}/members/{member_id}", delete_member, status=204)
