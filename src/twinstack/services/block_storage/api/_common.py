"""Helpers of the HTTP adapters: both URL forms, the project check, policy, bodies."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.block_storage.views import collection_links

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService


def list_body(
    req: ApiRequest,
    collection: str,
    items: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    detail: bool,
    query: dict[str, str],
    limit: int | None,
    count: int | None,
) -> dict[str, Any]:
    """``{collection: items}``, with the ``next`` link of a full page and ``count`` when given."""
    out: dict[str, Any] = {collection: items}
    if limit and len(rows) == limit:
        out[f"{collection}_links"] = collection_links(
            req.cloud.base_url,
            req.ctx.project_id or "",
            f"{collection}/detail" if detail else collection,
            query,
            rows[-1]["id"],
        )
    if count is not None:
        out["count"] = count
    return out


def svc(req: ApiRequest) -> BlockStorageService:
    return req.cloud.service("block_storage")  # type: ignore[no-any-return]


def _checked(handler: Any, min_version: str | None) -> Any:
    def check(req: ApiRequest) -> None:
        if req.request.url.path.endswith("/"):
            raise NotFound("The resource could not be found.")
        project = req.path.pop("project_id", None)
        if project is not None and project != req.ctx.project_id:
            raise BadRequest("Malformed request url")
        if min_version and not req.ctx.mv(min_version):
            raise NotFound("The resource could not be found.")

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def async_wrapper(req: ApiRequest) -> Any:
            check(req)
            return await handler(req)

        return async_wrapper

    @functools.wraps(handler)
    def wrapper(req: ApiRequest) -> Any:
        check(req)
        return handler(req)

    return wrapper


def add(
    api: ServiceApi,
    method: str,
    suffix: str,
    handler: Any,
    *,
    status: int = 200,
    min_version: str | None = None,
) -> None:
    """Declare ``/v3/{project_id}<suffix>`` and ``/v3<suffix>``."""
    wrapped = _checked(handler, min_version)
    api.add(method, "/v3/{project_id}" + suffix, wrapped, status=status)
    api.add(method, "/v3" + suffix, wrapped, status=status)


def require_admin(req: ApiRequest, rule: str) -> None:
    if not req.ctx.is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def require_member(req: ApiRequest, rule: str) -> None:
    if not req.ctx.is_member:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def body(req: ApiRequest, key: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request's ``{key: {...}}`` object, validated; cinder's 400 otherwise."""
    data = req.body
    if schema is not None:
        validate(schema, data, style="nova")
    if not isinstance(data, dict) or key not in data:
        raise BadRequest(f"Missing required element '{key}' in request body.")
    inner = data[key]
    if not isinstance(inner, dict):
        raise BadRequest(
            f"Invalid input for field/attribute {key}. Value: {inner}. {inner!r} is not of type 'object'"
        )
    return inner


def query(req: ApiRequest) -> dict[str, str]:
    return {k: v for k, v in req.query.items()}


NAME = {"type": ["string", "null"], "maxLength": 255}
DESCRIPTION = {"type": ["string", "null"], "maxLength": 255}
METADATA = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}
METADATA_NULL = {**METADATA, "type": ["object", "null"]}
UUID_OR_NULL = {"oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]}
BOOLEAN = {
    "type": ["boolean", "string"],
    "enum": [
        True,
        "True",
        "TRUE",
        "true",
        "1",
        "ON",
        "On",
        "on",
        "YES",
        "Yes",
        "yes",
        "y",
        "t",
        False,
        "False",
        "FALSE",
        "false",
        "0",
        "OFF",
        "Off",
        "off",
        "NO",
        "No",
        "no",
        "n",
        "f",
    ],
}
SIZE = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 0x7FFFFFFF}
