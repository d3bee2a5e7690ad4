"""Keystone's resource views: what each resource looks like in a response body.

Keystone shows a resource's free-form ``extra`` attributes at the top level, under its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from twinstack.core.clock import isotime

if TYPE_CHECKING:
    from twinstack.core.http import ApiRequest
    from twinstack.services.identity.assignment import Assignment
    from twinstack.services.identity.service import IdentityService


def _self(req: ApiRequest, path: str) -> dict[str, str]:
    return {"self": req.url_for("/identity/v3/" + path)}


def _extra(row: dict[str, Any]) -> dict[str, Any]:
    return dict(row.get("extra") or {})


def _time(value: datetime | None, *, zulu: bool = False) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return isotime(aware, micro=True, zulu=zulu)


def domain_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    extra = _extra(row)
    return {
        **extra,
        "id": row["id"],
        "name": row["name"],
        "description": row["description"] or "",
        "enabled": row["enabled"],
        "tags": extra.get("tags", []),
        "options": extra.get("options", {}),
        "links": _self(req, f"domains/{row['id']}"),
    }


def project_view(
    req: ApiRequest, row: dict[str, Any], identity: IdentityService, tags: list[str] | None = None
) -> dict[str, Any]:
    extra = _extra(row)
    return {
        **extra,
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "parent_id": row["parent_id"] or row["domain_id"],
        "description": row["description"] or "",
        "enabled": row["enabled"],
        "is_domain": False,
        "tags": tags if tags is not None else [],
        "options": extra.get("options", {}),
        "links": _self(req, f"projects/{row['id']}"),
    }


def domain_project_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    """A domain seen through the projects API (keystone's project ``is_domain: true``)."""
    view = domain_view(req, row)
    view.update(domain_id=None, parent_id=None, is_domain=True, links=_self(req, f"projects/{row['id']}"))
    return view


def user_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    view = {
        **_extra(row),
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "enabled": row["enabled"],
        "password_expires_at": _time(row.get("password_expires_at")),
        "options": row.get("options") or {},
        "links": _self(req, f"users/{row['id']}"),
    }
    if row.get("default_project_id"):
        view["default_project_id"] = row["default_project_id"]
    return view


def group_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "description": row["description"] or "",
        "links": _self(req, f"groups/{row['id']}"),
    }


def role_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "name": row["name"],
        "domain_id": row["domain_id"],
        "description": row["description"],
        "options": row.get("options") or {},
        "links": _self(req, f"roles/{row['id']}"),
    }


def role_ref(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    """A role as role inferences show it: id, name, links."""
    return {"id": row["id"], "name": row["name"], "links": _self(req, f"roles/{row['id']}")}


def region_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "description": row["description"] or "",
        "parent_region_id": row["parent_region_id"],
        "links": _self(req, f"regions/{row['id']}"),
    }


def service_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "type": row["type"],
        "enabled": row["enabled"],
        "links": _self(req, f"services/{row['id']}"),
    }


def endpoint_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "interface": row["interface"],
        "region": row["region_id"],
        "region_id": row["region_id"],
        "service_id": row["service_id"],
        "url": row["url"],
        "enabled": row["enabled"],
        "links": _self(req, f"endpoints/{row['id']}"),
    }


def app_cred_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    view = {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "user_id": row["user_id"],
        "project_id": row["project_id"],
        "roles": row["roles"] or [],
        "expires_at": _time(row["expires_at"]),
        "unrestricted": row["unrestricted"],
        "access_rules": row["access_rules"] or [],
        "links": _self(req, f"users/{row['user_id']}/application_credentials/{row['id']}"),
    }
    if "secret" in row:
        view["secret"] = row["secret"]
    return view


def access_rule_view(req: ApiRequest, user_id: str, rule: dict[str, Any]) -> dict[str, Any]:
    return {**rule, "links": _self(req, f"users/{user_id}/access_rules/{rule['id']}")}


def credential_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **_extra(row),
        "id": row["id"],
        "user_id": row["user_id"],
        "project_id": row["project_id"],
        "type": row["type"],
        "blob": row["blob"],
        "links": _self(req, f"credentials/{row['id']}"),
    }


def ec2_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    """An EC2 credential as ``/v3/users/{id}/credentials/OS-EC2`` shows it."""
    import orjson

    blob = orjson.loads(row["blob"])
    return {
        "user_id": row["user_id"],
        "tenant_id": row["project_id"],
        "access": blob.get("access"),
        "secret": blob.get("secret"),
        "trust_id": blob.get("trust_id"),
        "links": _self(req, f"users/{row['user_id']}/credentials/OS-EC2/{blob.get('access')}"),
    }


def assignment_view(
    req: ApiRequest, item: Assignment, identity: IdentityService, include_names: bool = False
) -> dict[str, Any]:
    """One entry of ``GET /v3/role_assignments``."""
    base = req.url_for("/identity/v3")
    scope: dict[str, Any]
    if item.target_type == "system":
        scope = {"system": {"all": True}}
    else:
        scope = {item.target_type: {"id": item.target_id}}
    if item.inherited:
        scope["OS-INHERIT:inherited_to"] = "projects"
    view: dict[str, Any] = {
        "links": {k: base + v for k, v in item.links.items()},
        "role": {"id": item.role_id},
        "scope": scope,
        item.actor_type: {"id": item.actor_id},
    }
    if include_names:
        _add_names(view, item, identity)
    return view


def _domain_ref(identity: IdentityService, domain_id: str | None) -> dict[str, Any]:
    try:
        return {"id": domain_id, "name": identity.get_domain(domain_id)["name"]} if domain_id else {}
    except Exception:  # a dangling reference shows without a name
        return {"id": domain_id}


def _add_names(view: dict[str, Any], item: Assignment, identity: IdentityService) -> None:
    try:
        role = identity.get_role(item.role_id)
        view["role"]["name"] = role["name"]
        if role["domain_id"]:
            view["role"]["domain"] = _domain_ref(identity, role["domain_id"])
        actor = (
            identity.get_user(item.actor_id)
            if item.actor_type == "user"
            else identity.get_group(item.actor_id)
        )
        view[item.actor_type].update(name=actor["name"], domain=_domain_ref(identity, actor["domain_id"]))
        if item.target_type == "project":
            project = identity.get_project(item.target_id)
            view["scope"]["project"].update(
                name=project["name"], domain=_domain_ref(identity, project["domain_id"])
            )
        elif item.target_type == "domain":
            view["scope"]["domain"]["name"] = identity.get_domain(item.target_id)["name"]
    except Exception:  # noqa: S110 - a row deleted meanwhile keeps its ids
        pass
