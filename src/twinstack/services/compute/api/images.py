"""Nova's image proxy: ``/images`` and ``/images/{id}/metadata`` over the image service (glance).

Deprecated by nova: ``/images`` answers 404 from microversion 2.36, image metadata from 2.39.
Nova's view: status ACTIVE/SAVING/DELETED/ERROR/UNKNOWN, progress, ``minRam``/``minDisk``, the
image's extra properties as ``metadata`` and the snapshot's ``server`` when it has one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from twinstack.core.clock import parse_isotime
from twinstack.core.errors import ApiError, BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import api_url, bookmark, check, int_param, links, route, until

# glance's own attributes; every other key of the glance view is an extra property (nova's metadata)
GLANCE_ATTRIBUTES = frozenset(
    {
        "id", "name", "status", "visibility", "protected", "os_hidden", "checksum", "os_hash_algo",
        "os_hash_value", "owner", "size", "virtual_size", "min_ram", "min_disk", "disk_format",
        "container_format", "created_at", "updated_at", "tags", "self", "file", "schema",
        "direct_url", "locations", "stores",
    }
)  # fmt: skip
_STATUS = {
    "active": "ACTIVE",
    "queued": "SAVING",
    "saving": "SAVING",
    "importing": "SAVING",
    "uploading": "SAVING",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
    "killed": "ERROR",
}
_PROGRESS = {"queued": 25, "saving": 50, "active": 100}
# nova's image list filters -> glance v2 filters
_FILTERS = {
    "name": "name",
    "status": "status",
    "server": "instance_uuid",
    "type": "image_type",
}
_METADATA_LIMIT = 128
_KEY = {"type": "string", "minLength": 1, "maxLength": 255}
METADATA = {
    "type": "object",
    "properties": {
        "metadata": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
        }
    },
    "required": ["metadata"],
    "additionalProperties": False,
}
META_ITEM = {
    "type": "object",
    "properties": {
        "meta": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
        }
    },
    "required": ["meta"],
    "additionalProperties": False,
}


def _image_service(req: ApiRequest) -> Any:
    return req.cloud.service("image")


def _get(req: ApiRequest, image_id: str) -> dict[str, Any]:
    try:
        return dict(_image_service(req).get_image(req.ctx, image_id))
    except NotFound:
        raise NotFound("Image not found.") from None


def properties(image: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in image.items() if k not in GLANCE_ATTRIBUTES}


def _links(req: ApiRequest, image_id: str) -> list[dict[str, str]]:
    return [
        *links(req, "images", image_id),
        {
            "rel": "alternate",
            "type": "application/vnd.openstack.image",
            "href": req.url_for(f"/image/images/{image_id}"),
        },
    ]


def image_view(req: ApiRequest, image: dict[str, Any]) -> dict[str, Any]:
    meta = properties(image)
    body: dict[str, Any] = {
        "id": image["id"],
        "name": image.get("name"),
        "minRam": int(image.get("min_ram") or 0),
        "minDisk": int(image.get("min_disk") or 0),
        "metadata": meta,
        "created": image.get("created_at"),
        "updated": image.get("updated_at"),
        "status": _STATUS.get(image.get("status") or "", "UNKNOWN"),
        "progress": _PROGRESS.get(image.get("status") or "", 0),
        "OS-EXT-IMG-SIZE:size": image.get("size"),
        "links": _links(req, image["id"]),
    }
    server = meta.get("instance_uuid")
    if server is not None:
        body["server"] = {
            "id": server,
            "links": [
                {"rel": "self", "href": api_url(req, f"/servers/{server}")},
                {"rel": "bookmark", "href": bookmark(req, f"/servers/{server}")},
            ],
        }
    disk = meta.get("auto_disk_config")
    if disk is not None:
        body["OS-DCF:diskConfig"] = "AUTO" if str(disk).lower() in ("1", "true", "yes", "on") else "MANUAL"
    return body


def _glance_params(req: ApiRequest) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for key, value in req.query.multi_items():
        if key in _FILTERS:
            if key == "server":
                value = value.rsplit("/", 1)[-1]
            if key == "status":
                value = value.lower()
            params.append((_FILTERS[key], value))
        elif key.startswith("property-"):
            params.append((key[len("property-") :], value))
        elif key == "changes-since":
            try:
                parse_isotime(value)
            except ValueError:
                raise BadRequest(f"Invalid changes-since value: {value}") from None
            params.append(("updated_at", f"gte:{value}"))
    return params


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    until(req, "2.35")
    limit = int_param(req, "limit", 0)
    marker = req.query.get("marker")
    min_ram = int_param(req, "minRam", 0)
    min_disk = int_param(req, "minDisk", 0)
    params = _glance_params(req)
    images: list[dict[str, Any]] = []
    page_marker = marker
    while True:  # glance pages; nova's glance client walks them all
        page_params = [*params, ("limit", "1000")]
        if page_marker:
            page_params.append(("marker", page_marker))
        try:
            page, page_marker = _image_service(req).list_images(req.ctx, page_params)
        except ApiError as exc:
            raise BadRequest(exc.message) from None
        images += page
        if not page_marker or (limit is not None and len(images) >= limit):
            break
    images = [
        i
        for i in images
        if (min_ram is None or int(i.get("min_ram") or 0) >= min_ram)
        and (min_disk is None or int(i.get("min_disk") or 0) >= min_disk)
    ]
    if limit is not None:
        images = images[:limit]
    if detail:
        items = [image_view(req, i) for i in images]
    else:
        items = [{"id": i["id"], "name": i.get("name"), "links": _links(req, i["id"])} for i in images]
    body: dict[str, Any] = {"images": items}
    if limit and images and len(images) == limit:
        query = [(k, v) for k, v in req.query.multi_items() if k != "marker"] + [("marker", images[-1]["id"])]
        path = "/images/detail" if detail else "/images"
        body["images_links"] = [{"rel": "next", "href": api_url(req, path) + "?" + urlencode(query)}]
    return body


def list_images(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_images_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_image(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.35")
    return {"image": image_view(req, _get(req, req.path["image_id"]))}


def delete_image(req: ApiRequest) -> ApiResponse:
    until(req, "2.35")
    try:
        _image_service(req).delete_image(req.ctx, req.path["image_id"])
    except NotFound:
        raise NotFound("Image not found.") from None
    except Forbidden:
        raise Forbidden("You are not allowed to delete the image.") from None
    return ApiResponse(None, 204)


def delete_image_without_id(req: ApiRequest) -> None:
    raise NotFound("Image not found.")


# metadata -----------------------------------------------------------------------------------------
def _set_properties(req: ApiRequest, image: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """Make the image's extra properties exactly ``wanted`` (nova's ``purge_props=True`` update)."""
    if len(wanted) > _METADATA_LIMIT:
        raise Forbidden("Quota exceeded for metadata items: maximum number of image metadata items exceeded")
    current = properties(image)
    changes: list[dict[str, Any]] = [{"op": "remove", "path": [k]} for k in current if k not in wanted]
    changes += [
        {"op": "replace" if k in current else "add", "path": [k], "value": str(v)}
        for k, v in wanted.items()
        if current.get(k) != v
    ]
    try:
        updated = _image_service(req).update(req.ctx, image["id"], changes)
    except Forbidden as exc:
        raise Forbidden(exc.message) from None
    return properties(dict(updated))


def list_metadata(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.38")
    return {"metadata": properties(_get(req, req.path["image_id"]))}


def show_metadata_item(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.38")
    meta = properties(_get(req, req.path["image_id"]))
    key = req.path["key"]
    if key not in meta:
        raise NotFound("The resource could not be found.")
    return {"meta": {key: meta[key]}}


def create_metadata(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.38")
    check(METADATA, req.body)
    image = _get(req, req.path["image_id"])
    return {"metadata": _set_properties(req, image, {**properties(image), **req.body["metadata"]})}


def update_all_metadata(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.38")
    check(METADATA, req.body)
    image = _get(req, req.path["image_id"])
    _set_properties(req, image, dict(req.body["metadata"]))
    return {"metadata": req.body["metadata"]}


def update_metadata_item(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.38")
    check(META_ITEM, req.body)
    key = req.path["key"]
    meta = req.body["meta"]
    if key not in meta:
        raise BadRequest("Request body and URI mismatch")
    image = _get(req, req.path["image_id"])
    _set_properties(req, image, {**properties(image), key: meta[key]})
    return {"meta": meta}


def delete_metadata_item(req: ApiRequest) -> ApiResponse:
    until(req, "2.38")
    image = _get(req, req.path["image_id"])
    current = properties(image)
    key = req.path["key"]
    if key not in current:
        raise NotFound("Invalid metadata key")
    _set_properties(req, image, {k: v for k, v in current.items() if k != key})
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/images", list_images)
    route(api, "GET", "/images/detail", list_images_detail)
    route(api, "DELETE", "/images", delete_image_without_id)
    route(api, "GET", "/images/{image_id}", show_image)
    route(api, "DELETE", "/images/{image_id}", delete_image, status=204)
    route(api, "GET", "/images/{image_id}/metadata", list_metadata)
    route(api, "POST", "/images/{image_id}/metadata", create_metadata)
    route(api, "PUT", "/images/{image_id}/metadata", update_all_metadata)
    route(api, "GET", "/images/{image_id}/metadata/{key}", show_metadata_item)
    route(api, "PUT", "/images/{image_id}/metadata/{key}", update_metadata_item)
    route(api, "DELETE", "/images/{image_id}/metadata/{key}", delete_metadata_item, status=204)
