"""Images: create, list, show, JSON-patch update, delete, (de|re)activate and tags."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import orjson

from twinstack.core.errors import (
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.image.schemas import base_properties, validation_error
from twinstack.services.image.service import READ_ONLY, RESERVED, RESERVED_NAMESPACE

PATCH_TYPES = {
    "application/openstack-images-v2.0-json-patch": 4,
    "application/openstack-images-v2.1-json-patch": 10,
}
OPERATIONS = ("add", "remove", "replace")
ARRAY_PROPERTIES = frozenset(k for k, v in base_properties().items() if v.get("type") == "array")
PATCH_BODY_LIMIT = 1024 * 1024


def _service(req: ApiRequest) -> Any:
    return req.cloud.service("image")


def create_image(req: ApiRequest) -> ApiResponse:
    image = _service(req).create(req.ctx, req.body)
    headers = {
        "Location": req.url_for(f"/image/v2/images/{image['id']}"),
        "OpenStack-image-import-methods": ",".join(_service(req).settings.enabled_import_methods),
        "OpenStack-image-store-ids": "file",
    }
    return ApiResponse(image, 201, headers)


def list_images(req: ApiRequest) -> dict[str, Any]:
    if req.request.url.path.endswith("/"):  # ``/v2/images/``: an empty image id
        raise NotFound("The resource could not be found.")
    pairs = req.query.multi_items()
    images, next_marker = _service(req).list_images(req.ctx, pairs)
    params: dict[str, str] = {}
    for key, value in pairs:
        params[key] = value
    params.pop("marker", None)
    body: dict[str, Any] = {"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}
    if params:
        body["first"] = "/v2/images?" + urlencode(params)
    if next_marker is not None:
        params["marker"] = next_marker
        body["next"] = "/v2/images?" + urlencode(params)
    return body


def reject_collection_delete(req: ApiRequest) -> None:
    if req.request.url.path.endswith("/"):  # ``DELETE /v2/images/``: an empty image id
        raise NotFound("The resource could not be found.")
    raise MethodNotAllowed(
        "The method DELETE is not supported for this resource.", headers={"Allow": "GET, POST"}
    )


def show_image(req: ApiRequest) -> dict[str, Any]:
    return _service(req).get_image(req.ctx, req.path["image_id"])


def delete_image(req: ApiRequest) -> None:
    _service(req).delete_image(req.ctx, req.path["image_id"])


async def update_image(req: ApiRequest) -> dict[str, Any]:
    media_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
    version = PATCH_TYPES.get(media_type)
    if version is None:
        allowed = ", ".join(sorted(PATCH_TYPES))
        raise UnsupportedMediaType(
            f"The request media type {req.headers.get('content-type', '')} is not supported by this server.",
            headers={"Accept-Patch": allowed},
            detail=f"Image PATCH expects Content-Type one of: {allowed}",
        )
    raw = b""
    async for chunk in req.stream():
        raw += chunk
        if len(raw) > PATCH_BODY_LIMIT:
            raise PayloadTooLarge("Request is too large.")
    if not raw.strip():
        raise BadRequest("Body expected in request.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("Malformed JSON in request body.") from None
    changes = parse_patch(body, version)
    return _service(req).update(req.ctx, req.path["image_id"], changes)


def parse_patch(body: Any, version: int) -> list[dict[str, Any]]:
    """glance's ``RequestDeserializer.update``: the changes, or 400/403 for a bad one."""
    if not isinstance(body, list):
        raise BadRequest("Request body must be a JSON array of operation objects.")
    changes = []
    for raw in body:
        if not isinstance(raw, dict):
            raise BadRequest("Operations must be JSON objects.")
        op, pointer = _operation(raw, version)
        path = _decode_pointer(pointer)
        limit = {"add": 2, "remove": 2, "replace": 1}[op] if path[0] == "locations" else 1
        if len(path) != limit:
            raise BadRequest(f"Invalid JSON pointer for this resource: '/{'/'.join(path)}'")
        change: dict[str, Any] = {"op": op, "path": path, "json_schema_version": version}
        if op != "remove":
            if "value" not in raw:
                raise BadRequest(f'Operation "{op}" requires a member named "value".')
            change["value"] = raw["value"]
        _validate_change(change)
        changes.append(change)
    return changes


def _operation(raw: dict[str, Any], version: int) -> tuple[str, Any]:
    if version == 10:
        op = raw.get("op")
        if op is None:
            raise BadRequest(
                "Unable to find `op` in JSON Schema change. It must be one of the following: "
                f"{', '.join(OPERATIONS)}."
            )
        if op not in OPERATIONS:
            raise BadRequest(
                f"Invalid operation: `{op}`. It must be one of the following: {', '.join(OPERATIONS)}."
            )
        if "path" not in raw:
            raise BadRequest("Unable to find 'path' in JSON Schema change")
        return op, raw["path"]
    found = [key for key in OPERATIONS if key in raw]
    if len(found) > 1:
        raise BadRequest(
            'Operation objects must contain only one member named "add", "remove", or "replace".'
        )
    if not found:
        raise BadRequest(
            'Operation objects must contain exactly one member named "add", "remove", or "replace".'
        )
    return found[0], raw[found[0]]


def _decode_pointer(pointer: Any) -> list[str]:
    if not isinstance(pointer, str):
        raise BadRequest(f'Pointer `{pointer}` does not start with "/".')
    if not pointer.startswith("/"):
        raise BadRequest(f'Pointer `{pointer}` does not start with "/".')
    if re.search(r"/\s*?/", pointer[1:]):
        raise BadRequest(f'Pointer `{pointer}` contains adjacent "/".')
    if len(pointer) > 1 and pointer.endswith("/"):
        raise BadRequest(f'Pointer `{pointer}` end with "/".')
    if pointer[1:].strip() == "/":
        raise BadRequest(f"Pointer `{pointer}` does not contains valid token.")
    if re.search("~[^01]", pointer) or pointer.endswith("~"):
        raise BadRequest(f'Pointer `{pointer}` contains "~" not part of a recognized escape sequence.')
    return [part.replace("~1", "/").replace("~0", "~").strip() for part in pointer.lstrip("/").split("/")]


def _validate_change(change: dict[str, Any]) -> None:
    root = change["path"][0]
    if root in READ_ONLY:
        raise Forbidden(f"Attribute '{root}' is read-only.")
    if root in RESERVED or root.startswith(RESERVED_NAMESPACE):
        raise Forbidden(f"Attribute '{root}' is reserved.")
    if change["op"] == "remove":
        return
    partial = None
    if len(change["path"]) == 1:
        partial = {root: change["value"]}
    elif root in ARRAY_PROPERTIES:
        partial = {root: [change["value"]]}
    if partial is not None:
        error = validation_error(partial)
        if error:
            raise BadRequest(error)


def deactivate(req: ApiRequest) -> None:
    _service(req).deactivate(req.ctx, req.path["image_id"])


def reactivate(req: ApiRequest) -> None:
    _service(req).reactivate(req.ctx, req.path["image_id"])


def add_tag(req: ApiRequest) -> None:
    _service(req).add_tag(req.ctx, req.path["image_id"], req.path["tag"])


def delete_tag(req: ApiRequest) -> None:
    _service(req).delete_tag(req.ctx, req.path["image_id"], req.path["tag"])


def register(api: ServiceApi) -> None:
    api.add("POST", "/v2/images", create_image, status=201)
    api.add("GET", "/v2/images", list_images)
    api.add("DELETE", "/v2/images", reject_collection_delete)
    api.add("GET", "/v2/images/{image_id}", show_image)
    api.add("PATCH", "/v2/images/{image_id}", update_image, body="raw")
    api.add("DELETE", "/v2/images/{image_id}", delete_image, status=204)
    api.add("POST", "/v2/images/{image_id}/actions/deactivate", deactivate, status=204)
    api.add("POST", "/v2/images/{image_id}/actions/reactivate", reactivate, status=204)
    api.add("PUT", "/v2/images/{image_id}/tags/{tag}", add_tag, status=204)
    api.add("DELETE", "/v2/images/{image_id}/tags/{tag}", delete_tag, status=204)
