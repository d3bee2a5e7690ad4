"""``/v3/regions``, ``/v3/services`` and ``/v3/endpoints``: keystone's catalog API."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.identity import schemas
from twinstack.services.identity.api.common import created, enforce, identity, listing, payload
from twinstack.services.identity.views import endpoint_view, region_view, service_view

# regions ------------------------------------------------------------------------------------


def list_regions(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_regions")
    views = [region_view(req, r) for r in identity(req).list_regions()]
    return listing(req, "regions", views, ("parent_region_id", "id"))


def create_region(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_region")
    values = payload(req, schemas.REGION_CREATE, "region")
    return created("region", region_view(req, identity(req).create_region(values)))


def create_region_with_id(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_region")
    values = payload(req, schemas.REGION_CREATE, "region")
    region_id = req.path["region_id"]
    if values.get("id") not in (None, region_id):
        raise BadRequest("Conflicting region IDs specified: {!r} != {!r}".format(region_id, values["id"]))
    values.pop("id", None)
    return created("region", region_view(req, identity(req).create_region(values, region_id)))


def get_region(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_region")
    return {"region": region_view(req, identity(req).get_region(req.path["region_id"]))}


def update_region(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "update_region")
    values = payload(req, schemas.REGION_UPDATE, "region")
    if values.get("id") not in (None, req.path["region_id"]):
        raise BadRequest("Cannot change region ID.")
    values.pop("id", None)
    return {"region": region_view(req, identity(req).update_region(req.path["region_id"], values))}


def delete_region(req: ApiRequest) -> None:
    enforce(req, "delete_region")
    identity(req).delete_region(req.path["region_id"])


# services -----------------------------------------------------------------------------------


def list_services(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_services")
    views = [service_view(req, s) for s in identity(req).list_services()]
    return listing(req, "services", views, ("type", "name", "enabled", "id"))


def create_service(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_service")
    values = payload(req, schemas.SERVICE_CREATE, "service")
    return created("service", service_view(req, identity(req).create_service(values)))


def get_service(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_service")
    return {"service": service_view(req, identity(req).get_service(req.path["service_id"]))}


def update_service(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "update_service")
    values = payload(req, schemas.SERVICE_UPDATE, "service")
    return {"service": service_view(req, identity(req).update_service(req.path["service_id"], values))}


def delete_service(req: ApiRequest) -> None:
    enforce(req, "delete_service")
    identity(req).delete_service(req.path["service_id"])


# endpoints ----------------------------------------------------------------------------------


def list_endpoints(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_endpoints")
    views = [endpoint_view(req, e) for e in identity(req).list_endpoints()]
    return listing(req, "endpoints", views, ("interface", "service_id", "region_id", "enabled", "id"))


def create_endpoint(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_endpoint")
    values = payload(req, schemas.ENDPOINT_CREATE, "endpoint")
    return created("endpoint", endpoint_view(req, identity(req).create_endpoint(values)))


def get_endpoint(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_endpoint")
    return {"endpoint": endpoint_view(req, identity(req).get_endpoint(req.path["endpoint_id"]))}


def update_endpoint(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "update_endpoint")
    values = payload(req, schemas.ENDPOINT_UPDATE, "endpoint")
    return {"endpoint": endpoint_view(req, identity(req).update_endpoint(req.path["endpoint_id"], values))}


def delete_endpoint(req: ApiRequest) -> None:
    enforce(req, "delete_endpoint")
    identity(req).delete_endpoint(req.path["endpoint_id"])


def register(api: ServiceApi) -> None:
    api.add("GET", "/v3/regions", list_regions)
    api.add("POST", "/v3/regions", create_region, status=201)
    api.add("GET", "/v3/regions/{region_id}", get_region)
    api.add("PUT", "/v3/regions/{region_id}", create_region_with_id, status=201)
    api.add("PATCH", "/v3/regions/{region_id}", update_region)
    api.add("DELETE", "/v3/regions/{region_id}", delete_region, status=204)
    api.add("GET", "/v3/services", list_services)
    api.add("POST", "/v3/services", create_service, status=201)
    api.add("GET", "/v3/services/{service_id}", get_service)
    api.add("PATCH", "/v3/services/{service_id}", update_service)
    api.add("DELETE", "/v3/services/{service_id}", delete_service, status=204)
    api.add("GET", "/v3/endpoints", list_endpoints)
    api.add("POST", "/v3/endpoints", create_endpoint, status=201)
    api.add("GET", "/v3/endpoints/{endpoint_id}", get_endpoint)
    api.add("PATCH", "/v3/endpoints/{endpoint_id}", update_endpoint)
    api.add("DELETE", "/v3/endpoints/{endpoint_id}", delete_endpoint, status=204)
