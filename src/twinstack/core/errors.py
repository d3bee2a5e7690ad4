"""OpenStack errors and the fault body each service answers them with.

Handlers raise ``ApiError`` (or a subclass); the HTTP layer renders it in the shape of the
service that answers (``FaultStyle``). Nothing else ever reaches the client: an unexpected
exception becomes the service's 500 fault, without a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson


class ApiError(Exception):
    """An error with an HTTP status, as OpenStack answers it.

    ``kind`` names the error the way the service does (neutron's ``NetworkNotFound``, nova's
    fault name, placement's error code); each fault style uses what it needs.
    """

    status: int = 500
    kind: str = ""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        kind: str = "",
        headers: dict[str, str] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.kind = kind or self.kind
        self.headers = headers or {}
        self.detail = detail


class BadRequest(ApiError):
    status = 400
    kind = "BadRequest"


class Unauthorized(ApiError):
    status = 401
    kind = "Unauthorized"

    def __init__(self, message: str = "The request you have made requires authentication.", **kw: Any):
        super().__init__(message, **kw)


class Forbidden(ApiError):
    status = 403
    kind = "Forbidden"


class NotFound(ApiError):
    status = 404
    kind = "NotFound"


class MethodNotAllowed(ApiError):
    status = 405
    kind = "MethodNotAllowed"


class NotAcceptable(ApiError):
    status = 406
    kind = "NotAcceptable"


class Conflict(ApiError):
    status = 409
    kind = "Conflict"


class PayloadTooLarge(ApiError):
    status = 413
    kind = "RequestEntityTooLarge"


class UnsupportedMediaType(ApiError):
    status = 415
    kind = "UnsupportedMediaType"


class NotImplementedYet(ApiError):
    status = 501
    kind = "NotImplemented"


def title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# A fault style turns (error, request id) into (body bytes, content type).
FaultStyle = Callable[[ApiError, str], tuple[bytes, str]]


def keystone_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    body = {"error": {"code": err.status, "title": title(err.status), "message": err.message}}
    return orjson.dumps(body), "application/json"


_NOVA_FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def nova_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    """Nova's and cinder's shape: ``{"itemNotFound": {"code": 404, "message": ...}}``."""
    name = _NOVA_FAULT_NAMES.get(err.status, "computeFault")
    return orjson.dumps({name: {"code": err.status, "message": err.message}}), "application/json"


def neutron_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    kind = err.kind or title(err.status).replace(" ", "")
    body = {"NeutronError": {"type": kind, "message": err.message, "detail": err.detail}}
    return orjson.dumps(body), "application/json"


def placement_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    error = {
        "status": err.status,
        "title": title(err.status),
        "detail": err.message,
        "request_id": request_id,
        "code": err.kind if err.kind.startswith("placement.") else "placement.undefined_code",
    }
    return orjson.dumps({"errors": [error]}), "application/json"


def glance_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    """Glance answers errors from webob: a small HTML page unless JSON was asked for."""
    phrase = f"{err.status} {title(err.status)}"
    html = (
        f"<html>\n <head>\n  <title>{phrase}</title>\n </head>\n <body>\n  <h1>{phrase}</h1>\n"
        f"  {_html_escape(err.message)}<br /><br />\n\n\n\n </body>\n</html>"
    )
    return html.encode(), "text/html; charset=UTF-8"


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
