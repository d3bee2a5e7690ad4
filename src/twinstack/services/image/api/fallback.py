"""Unknown paths under ``/image``: glance's router answers 404 (registered last)."""

from __future__ import annotations

from twinstack.core.errors import NotFound
from twinstack.core.http import ApiRequest, ServiceApi


def not_found(req: ApiRequest) -> None:
    raise NotFound("The resource could not be found.")


def register(api: ServiceApi) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        api.add(method, "/v2/{rest:path}", not_found)
