"""Keystone's resource views: what each resource looks like in a response body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.clock import isotime

if TYPE_CHECKING:
    from twinstack.core.http import ApiRequest
    from twinstack.services.identity.service import IdentityService


def _self(req: ApiRequest, path: str) -> dict[str, str]:
    return {"self": req.url_for("/identity/v3/" + path)}


def domain_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **(row.get("extra") or {}),
        "id": row["id"],
        "name": row["name"],
        "description": row["description"] or "",
        "enabled": row["enabled"],
        "tags": [],
        "options": {},
        "links": _self(req, f"domains/{row['id']}"),
    }


def project_view(
    req: ApiRequest, row: dict[str, Any], identity: IdentityService, tags: list[str] | None = None
) -> dict[str, Any]:
    return {
        **(row.get("extra") or {}),
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "parent_id": row["parent_id"] or row["domain_id"],
        "description": row["description"] or "",
        "enabled": row["enabled"],
        "is_domain": False,
        "tags": tags if tags is not None else [],
        "options": {},
        "links": _self(req, f"projects/{row['id']}"),
    }


def user_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    view = {
        **(row.get("extra") or {}),
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "enabled": row["enabled"],
        "password_expires_at": isotime(row["password_expires_at"], micro=True)
        if row.get("password_expires_at")
        else None,
        "options": row.get("options") or {},
        "links": _self(req, f"users/{row['id']}"),
    }
    if row.get("default_project_id"):
        view["default_project_id"] = row["default_project_id"]
    return view
