"""``/v3/roles`` (global and domain-specific), implied roles and ``/v3/role_inferences``."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.identity import schemas
from twinstack.services.identity.api.common import created, enforce, identity, links, listing, payload
from twinstack.services.identity.views import role_ref, role_view


def _rule(role: dict[str, Any] | None, name: str) -> str:
    """Keystone names the rules of domain-specific roles ``*_domain_role``."""
    return f"{name}_domain_role" if role and role.get("domain_id") else f"{name}_role"


def list_roles(req: ApiRequest) -> dict[str, Any]:
    domain_id = req.query.get("domain_id")
    enforce(req, "list_domain_roles" if domain_id else "list_roles", {"target.domain_id": domain_id})
    views = [role_view(req, r) for r in identity(req).list_roles() if r["domain_id"] == (domain_id or None)]
    return listing(req, "roles", views, ("name", "id"))


def create_role(req: ApiRequest) -> ApiResponse:
    values = payload(req, schemas.ROLE_CREATE, "role")
    enforce(req, _rule(values, "create"))
    return created("role", role_view(req, identity(req).create_role(values)))


def get_role(req: ApiRequest) -> dict[str, Any]:
    role = identity(req).get_role(req.path["role_id"])
    enforce(req, _rule(role, "get"), {"target.role.domain_id": role["domain_id"]})
    return {"role": role_view(req, role)}


def update_role(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    role = svc.get_role(req.path["role_id"])
    enforce(req, _rule(role, "update"))
    values = payload(req, schemas.ROLE_UPDATE, "role")
    return {"role": role_view(req, svc.update_role(role["id"], values))}


def delete_role(req: ApiRequest) -> None:
    svc = identity(req)
    role = svc.get_role(req.path["role_id"])
    enforce(req, _rule(role, "delete"))
    svc.delete_role(role["id"])


# implied roles ------------------------------------------------------------------------------


def _inference(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    prior, implied = req.path["prior_role_id"], req.path["implied_role_id"]
    return {
        "role_inference": {
            "prior_role": role_ref(req, svc.get_role(prior)),
            "implies": role_ref(req, svc.get_role(implied)),
        },
        "links": {"self": req.url_for(f"/identity/v3/roles/{prior}/implies/{implied}")},
    }


def create_implied(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_implied_role")
    identity(req).create_implied_role(req.path["prior_role_id"], req.path["implied_role_id"])
    return ApiResponse(_inference(req), status=201)


def get_implied(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_implied_role")
    identity(req).check_implied_role(req.path["prior_role_id"], req.path["implied_role_id"])
    return _inference(req)


def check_implied(req: ApiRequest) -> None:
    enforce(req, "check_implied_role")
    identity(req).check_implied_role(req.path["prior_role_id"], req.path["implied_role_id"])


def delete_implied(req: ApiRequest) -> None:
    enforce(req, "delete_implied_role")
    identity(req).delete_implied_role(req.path["prior_role_id"], req.path["implied_role_id"])


def list_implied(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_implied_roles")
    svc = identity(req)
    prior = svc.get_role(req.path["prior_role_id"])
    implied = [role_ref(req, r) for r in svc.implied_roles_of(prior["id"])]
    return {
        "role_inference": {"prior_role": role_ref(req, prior), "implies": implied},
        "links": {"self": req.url_for(f"/identity/v3/roles/{prior['id']}/implies")},
    }


def role_inferences(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_role_inference_rules")
    svc = identity(req)
    rules = [
        {
            "prior_role": role_ref(req, svc.get_role(prior)),
            "implies": [role_ref(req, svc.get_role(i)) for i in implied],
        }
        for prior, implied in svc.role_inferences().items()
    ]
    return {"role_inferences": rules, "links": links(req)}


def register(api: ServiceApi) -> None:
    api.add("GET", "/v3/roles", list_roles)
    api.add("POST", "/v3/roles", create_role, status=201)
    api.add("GET", "/v3/roles/{role_id}", get_role)
    api.add("PATCH", "/v3/roles/{role_id}", update_role)
    api.add("DELETE", "/v3/roles/{role_id}", delete_role, status=204)
    api.add("GET", "/v3/roles/{prior_role_id}/implies", list_implied)
    api.add(
        "PUT", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", create_implied, status=201, body="none"
    )
    api.add("GET", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", get_implied)
    api.add("HEAD", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", check_implied, status=204)
    api.add("DELETE", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", delete_implied, status=204)
    api.add("GET", "/v3/role_inferences", role_inferences)
