"""``/traits``."""

from __future__ import annotations

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, placement, require_mv


def list_traits(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    svc = placement(req)
    names = svc.list_traits()
    name = req.query.get("name")
    if name:
        if name.startswith("in:"):
            wanted = set(name[3:].split(","))
            names = [n for n in names if n in wanted]
        elif name.startswith("startswith:"):
            prefix = name[len("startswith:") :]
            names = [n for n in names if n.startswith(prefix)]
        else:
            raise BadRequest(
                f"Badly formatted name parameter. Expected name query string parameter in form: "
                f'?name=[in|startswith]:[name1,name2|prefix]. Got: "{name}"'
            )
    associated = req.query.get("associated")
    if associated is not None:
        if associated.lower() not in ("true", "false"):
            raise BadRequest('The query parameter "associated" only accepts "true" or "false"')
        used = svc.associated_traits()
        keep = associated.lower() == "true"
        names = [n for n in names if (n in used) == keep]
    return ApiResponse({"traits": names}, headers=cache_headers(req))


def get_trait(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    if not placement(req).trait_exists(req.path["name"]):
        raise NotFound(f"No such trait(s): {req.path['name']}.")
    return ApiResponse(None, 204, cache_headers(req))


def put_trait(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    name = req.path["name"]
    created = placement(req).create_trait(name)
    location = req.url_for(f"/placement/traits/{name}")
    return ApiResponse(None, 201 if created else 204, {"Location": location, **cache_headers(req)})


def delete_trait(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    placement(req).delete_trait(req.path["name"])
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    api.add("GET", "/traits", list_traits)
    api.add("GET", "/traits/{name}", get_trait)
    api.add("PUT", "/traits/{name}", put_trait, body="none")
    api.add("DELETE", "/traits/{name}", delete_trait)
