"""Image data: ``PUT|GET /v2/images/{id}/file``, ``PUT .../stage``, ``POST .../import``.

Uploads are read from the request stream (the route is ``body="raw"``) straight into the file
store; downloads stream back with ``Content-MD5`` and single-range support, as glance does.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from twinstack.core.errors import ApiError, BadRequest, UnsupportedMediaType
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.image.data import NoContent

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(ApiError):
    status = 416
    kind = "RequestRangeNotSatisfiable"

    def __init__(self, detail: str) -> None:
        super().__init__("The Range requested is not available.", detail=detail)


def _require_octet_stream(req: ApiRequest) -> None:
    content_type = req.headers.get("content-type")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/octet-stream":
        raise UnsupportedMediaType(
            f"The request media type {content_type or ''} is not supported by this server.",
            detail=f"Invalid content type {content_type}",
        )


def _declared_size(req: ApiRequest) -> int | None:
    value = req.headers.get("x-openstack-image-size") or req.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value) or None
    except ValueError:
        raise BadRequest("Invalid or missing image size in request headers.") from None


async def upload(req: ApiRequest) -> ApiResponse:
    _require_octet_stream(req)
    try:
        await req.cloud.service("image").upload_image_data(
            req.ctx, req.path["image_id"], req.stream(), size=_declared_size(req), from_api=True
        )
    except ClientDisconnect:
        raise BadRequest("The client disconnected during the upload.") from None
    return ApiResponse(None, 204)


async def stage(req: ApiRequest) -> ApiResponse:
    _require_octet_stream(req)
    try:
        await req.cloud.service("image").stage(
            req.ctx, req.path["image_id"], req.stream(), size=_declared_size(req)
        )
    except ClientDisconnect:
        raise BadRequest("The client disconnected during the upload.") from None
    return ApiResponse(None, 204)


def import_image(req: ApiRequest) -> ApiResponse:
    req.cloud.service("image").import_image(req.ctx, req.path["image_id"], req.body)
    return ApiResponse(None, 202)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(offset, length) for glance's single ``Range: bytes=...``; None for the whole image."""
    if "," in header:
        raise BadRequest(
            "Requests with multiple ranges are not supported in Glance. You may make multiple "
            "single-range requests instead."
        )
    m = _RANGE_RE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        raise RangeNotSatisfiable("Invalid Range header.")
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable("Invalid Range header.")
        offset = size - suffix if suffix < size else 0
        return offset, size - offset
    start = int(first)
    end = int(last) + 1 if last else None
    if end is not None and end <= start:
        raise RangeNotSatisfiable("Invalid Range header.")
    if start >= size:
        raise RangeNotSatisfiable(
            "Invalid start position in Range header. Start position MUST be in the "
            f"inclusive range [0, {size - 1}]."
        )
    length = (end - start) if end is not None and end < size else size - start
    return start, length


def download(req: ApiRequest) -> Any:
    service = req.cloud.service("image")
    try:
        row = service.prepare_download(req.ctx, req.path["image_id"])
    except NoContent:
        return ApiResponse(None, 204)
    size = row["size"] or 0
    headers: dict[str, str] = {}
    status = 200
    offset, length = 0, size
    header = req.headers.get("range")
    if header is not None:
        window = parse_range(header, size)
        if window is not None:
            offset, length = window
            status = 206
            headers["Content-Range"] = f"bytes {offset}-{offset + length - 1}/{size}"
    if row["checksum"]:
        headers["Content-MD5"] = row["checksum"]
    headers["Content-Length"] = str(length)
    chunks = service.store.aread(row["id"], offset, length, service.settings.read_chunk_size)
    return StreamingResponse(
        chunks, status_code=status, headers=headers, media_type="application/octet-stream"
    )


def register(api: ServiceApi) -> None:
    api.add("PUT", "/v2/images/{image_id}/file", upload, status=204, body="raw")
    api.add("GET", "/v2/images/{image_id}/file", download)
    api.add("PUT", "/v2/images/{image_id}/stage", stage, status=204, body="raw")
    api.add("POST", "/v2/images/{image_id}/import", import_image, status=202)
