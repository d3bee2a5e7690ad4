"""``/v3/domains`` and ``/v3/projects`` (with tags): keystone's resource API."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.identity import models as m
from twinstack.services.identity import schemas
from twinstack.services.identity.api.common import (
    created,
    enforce,
    identity,
    listing,
    payload,
    token_domain,
)
from twinstack.services.identity.views import domain_project_view, domain_view, project_view

# domains ------------------------------------------------------------------------------------


def list_domains(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_domains", {"target.domain_id": req.query.get("domain_id")})
    views = [domain_view(req, d) for d in identity(req).list_domains()]
    return listing(req, "domains", views, ("name", "enabled", "id"))


def create_domain(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_domain")
    values = payload(req, schemas.DOMAIN_CREATE, "domain")
    return created("domain", domain_view(req, identity(req).create_domain(values)))


def get_domain(req: ApiRequest) -> dict[str, Any]:
    domain = identity(req).get_domain(req.path["domain_id"])
    enforce(req, "get_domain", {"target.domain.id": domain["id"]})
    return {"domain": domain_view(req, domain)}


def update_domain(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "update_domain")
    values = payload(req, schemas.DOMAIN_UPDATE, "domain")
    return {"domain": domain_view(req, identity(req).update_domain(req.path["domain_id"], values))}


def delete_domain(req: ApiRequest) -> None:
    enforce(req, "delete_domain")
    identity(req).delete_domain(req.path["domain_id"])


# projects -----------------------------------------------------------------------------------


def _project_target(project: dict[str, Any]) -> dict[str, Any]:
    return {"target.project.id": project["id"], "target.project.domain_id": project["domain_id"]}


def _tag_filter(query: Any, tags: list[str]) -> bool:
    have = set(tags)
    if "tags" in query and not set(query["tags"].split(",")) <= have:
        return False
    if "tags-any" in query and not set(query["tags-any"].split(",")) & have:
        return False
    if "not-tags" in query and set(query["not-tags"].split(",")) <= have:
        return False
    return not ("not-tags-any" in query and set(query["not-tags-any"].split(",")) & have)


def _project_views(req: ApiRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    svc = identity(req)
    tags = svc.project_tags([r["id"] for r in rows]) if len(rows) < 500 else svc.project_tags()
    query = req.query
    return [
        project_view(req, r, svc, tags.get(r["id"], []))
        for r in rows
        if _tag_filter(query, tags.get(r["id"], []))
    ]


def list_projects(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_projects", {"target.domain_id": req.query.get("domain_id")})
    query = req.query
    if query.get("is_domain", "").lower() == "true":
        domains = [domain_project_view(req, d) for d in identity(req).list_domains()]
        return listing(req, "projects", domains, ("name", "enabled", "id"))
    views = _project_views(req, identity(req).list_projects())
    return listing(req, "projects", views, ("name", "enabled", "domain_id", "parent_id", "id"))


def _domain_instead(req: ApiRequest) -> dict[str, Any] | None:
    """The domain a projects-API path names, when it names a domain rather than a project."""
    svc = identity(req)
    project_id = req.path["project_id"]
    if svc._cached_row(m.projects, project_id) is not None:
        return None
    domain = svc._cached_row(m.domains, project_id)
    if domain is not None:
        enforce(req, "get_domain", {"target.domain.id": domain["id"]})
    return domain


def create_project(req: ApiRequest) -> ApiResponse:
    values = payload(req, schemas.PROJECT_CREATE, "project")
    svc = identity(req)
    if values.get("is_domain"):
        enforce(req, "create_domain")
        for key in ("is_domain", "domain_id", "parent_id"):
            values.pop(key, None)
        return created("project", domain_project_view(req, svc.create_domain(values)))
    domain_id = values.get("domain_id")
    if not domain_id and values.get("parent_id"):
        try:
            domain_id = svc.get_project(values["parent_id"])["domain_id"]
        except Exception:  # noqa: BLE001 - the create below answers for a bad parent
            domain_id = None
    enforce(req, "create_project", {"target.project.domain_id": domain_id or token_domain(req)})
    project = svc.create_project(values, token_domain(req))
    return created("project", project_view(req, project, svc, list(values.get("tags") or [])))


def get_project(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    domain = _domain_instead(req)
    if domain is not None:
        return {"project": domain_project_view(req, domain)}
    project = svc.get_project(req.path["project_id"])
    enforce(req, "get_project", _project_target(project))
    view = project_view(req, project, svc, svc.project_tags([project["id"]]).get(project["id"], []))
    query = req.query
    if "parents_as_ids" in query or "parents_as_list" in query:
        view["parents"] = _parents(req, project["id"], as_list="parents_as_list" in query)
    if "subtree_as_ids" in query or "subtree_as_list" in query:
        view["subtree"] = _subtree(req, project["id"], as_list="subtree_as_list" in query)
    return {"project": view}


def _parents(req: ApiRequest, project_id: str, *, as_list: bool) -> Any:
    svc = identity(req)
    ancestors = svc.project_ancestors(project_id)
    if as_list:
        return [{"project": project_view(req, svc.get_project(p), svc)} for p in ancestors]
    nested: Any = None
    for parent in reversed(ancestors):
        nested = {parent: nested}
    return nested


def _subtree(req: ApiRequest, project_id: str, *, as_list: bool) -> Any:
    svc = identity(req)
    below = svc.subtree(project_id)
    if as_list:
        return [{"project": project_view(req, svc.get_project(p), svc)} for p in below]
    children: dict[str, list[str]] = {}
    for p in below:
        children.setdefault(svc.get_project(p)["parent_id"], []).append(p)

    def tree(pid: str) -> Any:
        kids = children.get(pid)
        return {k: tree(k) for k in kids} if kids else None

    return tree(project_id)


def update_project(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    domain = _domain_instead(req)
    if domain is not None:
        enforce(req, "update_domain")
        values = payload(req, schemas.PROJECT_UPDATE, "project")
        for key in ("is_domain", "domain_id", "parent_id"):
            values.pop(key, None)
        return {"project": domain_project_view(req, svc.update_domain(domain["id"], values))}
    project = svc.get_project(req.path["project_id"])
    enforce(req, "update_project", _project_target(project))
    values = payload(req, schemas.PROJECT_UPDATE, "project")
    updated = svc.update_project(project["id"], values)
    return {
        "project": project_view(req, updated, svc, svc.project_tags([project["id"]]).get(project["id"], []))
    }


def delete_project(req: ApiRequest) -> None:
    svc = identity(req)
    domain = _domain_instead(req)
    if domain is not None:
        enforce(req, "delete_domain")
        svc.delete_domain(domain["id"])
        return
    project = svc.get_project(req.path["project_id"])
    enforce(req, "delete_project", _project_target(project))
    svc.delete_project(project["id"])


# tags ---------------------------------------------------------------------------------------


def _tagged_project(req: ApiRequest, rule: str) -> dict[str, Any]:
    project = identity(req).get_project(req.path["project_id"])
    enforce(req, rule, _project_target(project))
    return project


def list_tags(req: ApiRequest) -> dict[str, Any]:
    project = _tagged_project(req, "list_project_tags")
    return {"tags": identity(req).project_tags([project["id"]]).get(project["id"], [])}


def replace_tags(req: ApiRequest) -> dict[str, Any]:
    project = _tagged_project(req, "update_project_tags")
    validate(schemas.PROJECT_TAGS, req.body)
    return {"tags": identity(req).set_project_tags(project["id"], req.body["tags"])}


def delete_tags(req: ApiRequest) -> None:
    project = _tagged_project(req, "delete_project_tags")
    identity(req).set_project_tags(project["id"], [])


def check_tag(req: ApiRequest) -> None:
    project = _tagged_project(req, "get_project_tag")
    if req.path["tag"] not in identity(req).project_tags([project["id"]]).get(project["id"], []):
        from twinstack.services.identity.common import not_found

        raise not_found("project tag", req.path["tag"])


def add_tag(req: ApiRequest) -> ApiResponse:
    project = _tagged_project(req, "create_project_tag")
    tag = req.path["tag"]
    validate(schemas.TAG, tag)
    if "/" in tag or "," in tag:
        raise BadRequest(f"Invalid input for field 'tag': {tag!r} does not match '^[^,/]*$'")
    identity(req).add_project_tag(project["id"], tag)
    location = req.url_for(f"/identity/v3/projects/{project['id']}/tags/{tag}")
    return ApiResponse(None, status=201, headers={"Location": location})


def delete_tag(req: ApiRequest) -> None:
    project = _tagged_project(req, "delete_project_tag")
    identity(req).delete_project_tag(project["id"], req.path["tag"])


def register(api: ServiceApi) -> None:
    api.add("GET", "/v3/domains", list_domains)
    api.add("POST", "/v3/domains", create_domain, status=201)
    api.add("GET", "/v3/domains/{domain_id}", get_domain)
    api.add("PATCH", "/v3/domains/{domain_id}", update_domain)
    api.add("DELETE", "/v3/domains/{domain_id}", delete_domain, status=204)
    api.add("GET", "/v3/projects", list_projects)
    api.add("POST", "/v3/projects", create_project, status=201)
    api.add("GET", "/v3/projects/{project_id}", get_project)
    api.add("PATCH", "/v3/projects/{project_id}", update_project)
    api.add("DELETE", "/v3/projects/{project_id}", delete_project, status=204)
    api.add("GET", "/v3/projects/{project_id}/tags", list_tags)
    api.add("PUT", "/v3/projects/{project_id}/tags", replace_tags)
    api.add("DELETE", "/v3/projects/{project_id}/tags", delete_tags, status=204)
    api.add("GET", "/v3/projects/{project_id}/tags/{tag}", check_tag, status=204)
    api.add("PUT", "/v3/projects/{project_id}/tags/{tag}", add_tag, status=201, body="none")
    api.add("DELETE", "/v3/projects/{project_id}/tags/{tag}", delete_tag, status=204)
