"""``/v3/auth``: issue, validate, revoke tokens; the token's catalog, projects, domains, system."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from twinstack.core.errors import Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.identity import auth as authn
from twinstack.services.identity import models as m
from twinstack.services.identity.service import IdentityService, Scope


def _identity(req: ApiRequest) -> IdentityService:
    return req.cloud.service("identity")  # type: ignore[no-any-return]


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "no", "off")


def create_token(req: ApiRequest) -> ApiResponse:
    identity = _identity(req)
    token, data = authn.authenticate(identity, req.body)
    body = identity.tokens.render(data, catalog="nocatalog" not in req.query)
    return ApiResponse(body, status=201, headers={"X-Subject-Token": token})


def _subject(req: ApiRequest) -> tuple[str, Any]:
    identity = _identity(req)
    subject = req.headers.get("x-subject-token")
    if not subject:
        raise NotFound("Could not find token: (no X-Subject-Token given).")
    data = identity.tokens.validate(subject, allow_expired=_truthy(req.query.get("allow_expired")))
    ctx = req.ctx
    if not (ctx.is_admin or "service" in ctx.roles or data.user_id == ctx.user_id):
        raise Forbidden("You are not authorized to perform the requested action: identity:validate_token.")
    return subject, data


def validate_token(req: ApiRequest) -> ApiResponse:
    subject, data = _subject(req)
    body = _identity(req).tokens.render(data, catalog="nocatalog" not in req.query)
    return ApiResponse(body, headers={"X-Subject-Token": subject})


def check_token(req: ApiRequest) -> ApiResponse:
    subject, _ = _subject(req)
    return ApiResponse(None, status=200, headers={"X-Subject-Token": subject})


def revoke_token(req: ApiRequest) -> None:
    _, data = _subject(req)
    _identity(req).tokens.revoke(audit_id=data.audit_ids[0])


def auth_catalog(req: ApiRequest) -> dict[str, Any]:
    ctx = req.ctx
    if not (ctx.project_id or ctx.domain_id or ctx.system_scope):
        raise Forbidden("A scoped token is required to retrieve the catalog.")
    return {"catalog": _identity(req).catalog(ctx.project_id), "links": _links(req, "/v3/auth/catalog")}


def auth_projects(req: ApiRequest) -> dict[str, Any]:
    identity = _identity(req)
    user_id = req.ctx.user_id
    assert user_id is not None
    with req.cloud.db.begin() as conn:
        rows = conn.execute(select(m.projects).where(m.projects.c.enabled.is_(True))).mappings().all()
    from twinstack.services.identity.views import project_view

    visible = [
        project_view(req, dict(r), identity)
        for r in rows
        if identity.effective_roles(user_id, Scope("project", r["id"]))
    ]
    return {"projects": visible, "links": _links(req, "/v3/auth/projects")}


def auth_domains(req: ApiRequest) -> dict[str, Any]:
    identity = _identity(req)
    user_id = req.ctx.user_id
    assert user_id is not None
    with req.cloud.db.begin() as conn:
        rows = conn.execute(select(m.domains).where(m.domains.c.enabled.is_(True))).mappings().all()
    from twinstack.services.identity.views import domain_view

    visible = [
        domain_view(req, dict(r)) for r in rows if identity.effective_roles(user_id, Scope("domain", r["id"]))
    ]
    return {"domains": visible, "links": _links(req, "/v3/auth/domains")}


def auth_system(req: ApiRequest) -> dict[str, Any]:
    user_id = req.ctx.user_id
    assert user_id is not None
    has = bool(_identity(req).effective_roles(user_id, Scope("system", "all")))
    return {"system": [{"all": True}] if has else [], "links": _links(req, "/v3/auth/system")}


def _links(req: ApiRequest, path: str) -> dict[str, Any]:
    return {"self": req.url_for("/identity" + path), "previous": None, "next": None}


def register(api: ServiceApi) -> None:
    api.add("POST", "/v3/auth/tokens", create_token, auth=False)
    api.add("GET", "/v3/auth/tokens", validate_token)
    api.add("HEAD", "/v3/auth/tokens", check_token)
    api.add("DELETE", "/v3/auth/tokens", revoke_token, status=204)
    api.add("GET", "/v3/auth/catalog", auth_catalog)
    api.add("GET", "/v3/auth/projects", auth_projects)
    api.add("GET", "/v3/auth/domains", auth_domains)
    api.add("GET", "/v3/auth/system", auth_system)
