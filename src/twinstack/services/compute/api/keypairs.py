"""``/os-keypairs``: per user, ssh or x509 (2.2), admin access by user_id (2.10), paging (2.35)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from twinstack.core.errors import BadRequest, Forbidden
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import api_url, check, compute, int_param, route
from twinstack.services.compute.api.views import ts


def _user(req: ApiRequest, value: str | None) -> str:
    if value and req.ctx.mv("2.10"):
        if value != req.ctx.user_id and not req.ctx.is_admin:
            raise Forbidden("Policy doesn't allow os_compute_api:os-keypairs:index to be performed.")
        return value
    return req.ctx.user_id or ""


def _brief(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    body = {"name": row["name"], "public_key": row["public_key"], "fingerprint": row["fingerprint"]}
    if req.ctx.mv("2.2"):
        body["type"] = row["type"]
    return body


def list_keypairs(req: ApiRequest) -> dict[str, Any]:
    rows = compute(req).list_keypairs(_user(req, req.query.get("user_id")))
    body: dict[str, Any] = {}
    if req.ctx.mv("2.35"):
        marker = req.query.get("marker")
        if marker:
            names = [r["name"] for r in rows]
            if marker not in names:
                raise BadRequest(f"Marker {marker} could not be found.")
            rows = rows[names.index(marker) + 1 :]
        limit = int_param(req, "limit", 0)
        if limit is not None:
            rows = rows[:limit]
            if rows and len(rows) == limit:
                params = [(k, v) for k, v in req.query.multi_items() if k != "marker"]
                params.append(("marker", rows[-1]["name"]))
                body["keypairs_links"] = [
                    {"rel": "next", "href": api_url(req, "/os-keypairs") + "?" + urlencode(params)}
                ]
    return {"keypairs": [{"keypair": _brief(req, r)} for r in rows], **body}


def show_keypair(req: ApiRequest) -> dict[str, Any]:
    row = compute(req).get_keypair(_user(req, req.query.get("user_id")), req.path["name"])
    body = {
        **_brief(req, row),
        "user_id": row["user_id"],
        "created_at": ts(row["created_at"]).rstrip("Z") if row["created_at"] else None,
        "updated_at": None,
        "deleted": False,
        "deleted_at": None,
        "id": row["id"],
    }
    return {"keypair": body}


def create_keypair(req: ApiRequest) -> ApiResponse:
    props: dict[str, Any] = {
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": r"^[a-zA-Z0-9 _.@-]*$" if req.ctx.mv("2.92") else r"^[a-zA-Z0-9 _-]+$",
        },
        "public_key": {"type": "string"},
    }
    required = ["name"]
    if req.ctx.mv("2.2"):
        props["type"] = {"type": "string", "enum": ["ssh", "x509"]}
    if req.ctx.mv("2.10"):
        props["user_id"] = {"type": "string"}
    if req.ctx.mv("2.92"):
        required.append("public_key")
    check(
        {
            "type": "object",
            "properties": {
                "keypair": {
                    "type": "object",
                    "properties": props,
                    "required": required,
                    "additionalProperties": False,
                }
            },
            "required": ["keypair"],
            "additionalProperties": False,
        },
        req.body,
    )
    body = req.body["keypair"]
    user = _user(req, body.get("user_id"))
    row = compute(req).create_keypair(
        req.ctx, user, body["name"], body.get("public_key"), body.get("type", "ssh")
    )
    view = {**_brief(req, row), "user_id": row["user_id"]}
    if "private_key" in row:
        view["private_key"] = row["private_key"]
    return ApiResponse({"keypair": view}, 201 if req.ctx.mv("2.2") else 200)


def delete_keypair(req: ApiRequest) -> ApiResponse:
    compute(req).delete_keypair(_user(req, req.query.get("user_id")), req.path["name"])
    return ApiResponse(None, 204 if req.ctx.mv("2.2") else 202)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-keypairs", list_keypairs)
    route(api, "POST", "/os-keypairs", create_keypair)
    route(api, "GET", "/os-keypairs/{name}", show_keypair)
    route(api, "DELETE", "/os-keypairs/{name}", delete_keypair)
