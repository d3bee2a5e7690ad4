"""OpenStack errors and the fault body each service answers them with.

Handlers raise ``ApiError`` (or a subclass); the HTTP layer renders it in the shape of the
service that answers (``FaultStyle``). Nothing else ever reaches the client: an unexpected
exception becomes the service's 500 fault, without a traceback.
"""

from __future__ import annotations

import re
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


def glance_fault(err: ApiError, request_id: str, accept: str | None = None) -> tuple[bytes, str]:
    """Glance answers errors from webob: HTML, JSON or plain text, chosen by the ``Accept`` header.

    The body is webob's: ``message`` is the explanation and ``detail`` the detail; a 415 uses
    webob's media-type template. No ``Accept`` header at all gets text/plain, as webob does.
    """
    phrase = f"{err.status} {title(err.status)}"
    match = _webob_match(accept)

    def body(escape: Callable[[str], str]) -> str:
        if err.status == 415:
            return f"{escape(err.message)}\n<br /><br />\n{escape(err.detail)}"
        return f"{escape(err.message)}<br /><br />\n{escape(err.detail)}\n\n"

    if match == "text/html":
        html = (
            f"<html>\n <head>\n  <title>{phrase}</title>\n </head>\n <body>\n  <h1>{phrase}</h1>\n"
            f"  {body(_html_escape)}\n </body>\n</html>"
        )
        return html.encode(), "text/html; charset=UTF-8"
    if match == "application/json":
        doc = {"message": body(str), "code": phrase, "title": title(err.status)}
        return orjson.dumps(doc), "application/json"
    return f"{phrase}\n\n{_strip_tags(body(str))}".encode(), "text/plain; charset=UTF-8"


glance_fault.negotiates_accept = True  # type: ignore[attr-defined]


def _webob_match(accept: str | None) -> str | None:
    """webob's ``acceptable_offers(["text/html", "application/json"])[0]`` (None: text/plain)."""
    if not accept:
        return None
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    offers: list[tuple[float, int, str]] = []
    for index, offer in enumerate(("text/html", "application/json")):
        kind = offer.split("/")[0]
        best: tuple[int, float] | None = None
        for media, q in ranges:
            specificity = 3 if media == offer else 2 if media == f"{kind}/*" else 1 if media == "*/*" else 0
            if specificity and (best is None or specificity > best[0]):
                best = (specificity, q)
        if best is not None and best[1] > 0:
            offers.append((-best[1], index, offer))
    return min(offers)[2] if offers else None


def _strip_tags(value: str) -> str:
    value = value.replace("\n", " ").replace("\r", "")
    value = re.sub(r"<br.*?>", "\n", value, flags=re.I | re.S)
    value = re.sub(r"<!--|-->", "", value)
    return re.sub(r"<.*?>", "", value, flags=re.S)


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
