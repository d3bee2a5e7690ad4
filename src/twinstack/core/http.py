"""The thin HTTP adapter every service uses.

A service declares its operations on a ``ServiceApi``::

    api = ServiceApi("identity", fault=keystone_fault)

    @api.route("GET", "/v3/users/{user_id}")
    def get_user(req: ApiRequest) -> dict: ...

Handlers get an ``ApiRequest`` (context, path params, query, parsed JSON body) and return a
JSON-able value, ``None`` (empty body) or an ``ApiResponse``. They may be sync or async. The
adapter adds ``x-openstack-request-id`` to every response, negotiates and echoes microversions,
authenticates (every route but discovery needs a token), renders errors in the service's fault
shape and never lets a traceback out. Unknown paths under a service answer 501; a known path
with an unknown method answers 405.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from twinstack.core.context import RequestContext
from twinstack.core.errors import (
    ApiError,
    BadRequest,
    FaultStyle,
    MethodNotAllowed,
    NotImplementedYet,
    PayloadTooLarge,
    Unauthorized,
    keystone_fault,
)
from twinstack.core.microversion import MicroversionSpec

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

LOG = logging.getLogger(__name__)

Handler = Callable[["ApiRequest"], Any]
_PARAM_RE = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:path)?}")
_NO_BODY_STATUSES = (204, 304)


@dataclass(slots=True)
class ApiResponse:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None  # None: JSON for a body, nothing for an empty one


@dataclass(slots=True)
class ApiRequest:
    """What a handler sees of a request."""

    cloud: Cloud
    ctx: RequestContext
    request: Request
    path: dict[str, str]
    body: Any = None

    @property
    def query(self) -> QueryParams:
        return self.request.query_params

    @property
    def headers(self) -> Headers:
        return self.request.headers

    @property
    def method(self) -> str:
        return self.request.method

    def url_for(self, suffix: str = "") -> str:
        """An absolute URL under the cloud's public base (for links)."""
        return self.cloud.base_url + suffix

    def stream(self) -> AsyncIterator[bytes]:
        return self.request.stream()


@dataclass
class Operation:
    method: str
    handler: Handler
    status: int
    auth: bool
    body: str  # "json", "raw" (handler reads req.request itself) or "none"
    is_async: bool


class Route:
    """One path template (``/v3/users/{user_id}``) and its operations by method."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.operations: dict[str, Operation] = {}


class _Node:
    """A node of the route tree: one path segment deeper per level."""

    __slots__ = ("literals", "params", "tails", "route")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.params: dict[str, _Node] = {}  # {name} segments, by parameter name
        self.tails: dict[str, Route] = {}  # {name:path}: the rest of the path
        self.route: Route | None = None


def _segments(path: str) -> list[str]:
    path = path.strip("/")
    return path.split("/") if path else []


def _walk(
    node: _Node, segs: list[str], i: int, params: dict[str, str]
) -> tuple[Route, dict[str, str]] | None:
    """Literal segments win over parameters; ``{x}`` never matches an empty segment."""
    if i == len(segs):
        return (node.route, params) if node.route is not None else None
    seg = segs[i]
    child = node.literals.get(seg)
    if child is not None:
        found = _walk(child, segs, i + 1, params)
        if found:
            return found
    if seg:
        for name, param_node in node.params.items():
            found = _walk(param_node, segs, i + 1, {**params, name: seg})
            if found:
                return found
        for name, route in node.tails.items():
            return route, {**params, name: "/".join(segs[i:])}
    return None


class ServiceApi:
    """The routes of one service, mounted under its prefix (e.g. ``/compute``)."""

    def __init__(
        self,
        name: str,
        *,
        fault: FaultStyle,
        microversions: MicroversionSpec | None = None,
        microversion_prefixes: tuple[str, ...] = (),
        request_id_headers: tuple[str, ...] = ("x-openstack-request-id",),
    ) -> None:
        self.name = name
        self.fault = fault
        # Headers carrying the request id (nova also sends x-compute-request-id).
        self.request_id_headers = request_id_headers
        self.microversions = microversions
        # Only paths under these prefixes negotiate microversions (not discovery documents).
        self.microversion_prefixes = microversion_prefixes
        self.routes: list[Route] = []
        self._by_template: dict[str, Route] = {}
        self._tree = _Node()

    def route(
        self, method: str, path: str, *, status: int = 200, auth: bool = True, body: str = "json"
    ) -> Callable[[Handler], Handler]:
        def decorate(func: Handler) -> Handler:
            self.add(method, path, func, status=status, auth=auth, body=body)
            return func

        return decorate

    def add(
        self,
        method: str,
        path: str,
        func: Handler,
        *,
        status: int = 200,
        auth: bool = True,
        body: str = "json",
    ) -> None:
        route = self._by_template.get(path)
        if route is None:
            route = Route(path)
            self._by_template[path] = route
            self.routes.append(route)
            self._insert(route)
        method = method.upper()
        if method in route.operations:
            raise ValueError(f"{self.name}: {method} {path} is declared twice")
        route.operations[method] = Operation(
            method, func, status, auth, body, inspect.iscoroutinefunction(func)
        )

    def _insert(self, route: Route) -> None:
        node = self._tree
        for seg in _segments(route.template):
            param = _PARAM_RE.fullmatch(seg)
            if param is None:
                node = node.literals.setdefault(seg, _Node())
            elif param.group(2):  # {name:path} takes the rest of the path
                node.tails[param.group(1)] = route
                return
            else:
                node = node.params.setdefault(param.group(1), _Node())
        node.route = route

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        return _walk(self._tree, _segments(path), 0, {})

    def negotiates(self, path: str) -> bool:
        return self.microversions is not None and path.startswith(self.microversion_prefixes)


class _Mount:
    __slots__ = ("prefix", "api", "_factory")

    def __init__(self, prefix: str, api: ServiceApi | Callable[[], ServiceApi]) -> None:
        self.prefix = prefix
        self.api: ServiceApi | None = api if isinstance(api, ServiceApi) else None
        self._factory = api

    def build(self) -> ServiceApi:
        assert callable(self._factory)
        self.api = self._factory()
        return self.api


class CloudApp:
    """The ASGI application: dispatches by path prefix to each service's ``ServiceApi``."""

    def __init__(
        self,
        cloud: Cloud,
        lifespan: Callable[[], Awaitable[None]] | None = None,
        shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.cloud = cloud
        self.mounts: list[_Mount] = []
        self._startup = lifespan
        self._shutdown = shutdown

    def mount(self, prefix: str, api: ServiceApi | Callable[[], ServiceApi]) -> None:
        """Serve ``prefix`` with ``api``, or with what ``api()`` returns, built at the first
        request under ``prefix`` (a start-up builds no route table it does not need)."""
        self.mounts.append(_Mount(prefix.rstrip("/"), api))
        self.mounts.sort(key=lambda mount: -len(mount.prefix))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        for mount in self.mounts:
            prefix = mount.prefix
            if path == prefix or path.startswith(prefix + "/"):
                api = mount.api or mount.build()
                response = await self.handle(api, path[len(prefix) :] or "/", scope, receive)
                await response(scope, receive, send)
                return
        request_id = "req-" + str(uuid.uuid4())
        body, ctype = keystone_fault(NotImplementedYet(f"No service is mounted at {path}.", 404), request_id)
        await Response(body, 404, {"x-openstack-request-id": request_id}, media_type=ctype)(
            scope, receive, send
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            try:
                message = await receive()
            except asyncio.CancelledError:  # a second Ctrl-C: stop without a traceback
                if self._shutdown:
                    await self._shutdown()
                return
            if message["type"] == "lifespan.startup":
                try:
                    if self._startup:
                        await self._startup()
                except Exception as exc:  # pragma: no cover - reported to the server
                    LOG.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._shutdown:
                    await self._shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def handle(self, api: ServiceApi, subpath: str, scope: Scope, receive: Receive) -> Response:
        request = Request(scope, receive)
        headers = request.headers
        request_id = "req-" + str(uuid.uuid4())
        extra_headers: dict[str, str] = dict.fromkeys(api.request_id_headers, request_id)
        fault = api.fault
        try:
            found = api.match(subpath)
            method = request.method
            if found is None:
                op = None
            else:
                route, params = found
                op = route.operations.get(method)
                if op is None and method == "HEAD":
                    op = route.operations.get("GET")
            ctx = RequestContext(
                request_id=request_id, global_request_id=headers.get("x-openstack-request-id")
            )
            needs_auth = op.auth if op is not None else True
            if needs_auth:
                token = headers.get("x-auth-token")
                if not token:
                    raise Unauthorized(
                        headers={"WWW-Authenticate": f'Keystone uri="{self.cloud.base_url}/identity"'}
                    )
                self.cloud.authenticate(ctx, token)
            if api.negotiates(subpath):
                assert api.microversions is not None
                ctx.microversion = api.microversions.negotiate(headers)
                extra_headers.update(api.microversions.response_headers(ctx.microversion))
            if found is None:
                raise NotImplementedYet(f"{method} {scope['path']} is not implemented by twinstack yet.")
            if op is None:
                raise MethodNotAllowed(
                    f"The method {method} is not supported for this resource.",
                    headers={"Allow": ", ".join(sorted(route.operations))},
                )
            body = None
            if op.body == "json" and method in ("POST", "PUT", "PATCH"):
                body = await self._json_body(request)
            req = ApiRequest(self.cloud, ctx, request, params, body)
            result = op.handler(req)
            if op.is_async or inspect.isawaitable(result):
                result = await result
            response = self._render(result, op.status, extra_headers)
            if method == "HEAD":
                response.body = b""
            return response
        except ApiError as err:
            if err.status == 401 and fault is not keystone_fault and api.name != "identity":
                fault = keystone_fault  # keystonemiddleware answers in keystone's shape
            return self._fault(fault, err, request_id, extra_headers, headers.get("accept"))
        except Exception:
            LOG.exception("unexpected error in %s %s", request.method, scope["path"])
            err = ApiError("An unexpected error prevented the server from fulfilling your request.", 500)
            return self._fault(fault, err, request_id, extra_headers, headers.get("accept"))

    async def _json_body(self, request: Request) -> Any:
        limit = self.cloud.settings.max_request_body_size
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge("Request is too large.")
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge("Request is too large.")
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRequest("Malformed request body: the body is not valid JSON.") from None

    @staticmethod
    def _render(result: Any, status: int, headers: dict[str, str]) -> Response:
        content_type: str | None = None
        if isinstance(result, ApiResponse):
            headers = {**headers, **result.headers}
            status = result.status
            content_type = result.content_type
            result = result.body
        if isinstance(result, Response):
            result.headers.update(headers)
            return result
        if result is None or status in _NO_BODY_STATUSES:
            return _EmptyResponse(status, headers, content_type)
        if isinstance(result, bytes):
            return Response(result, status, headers, media_type=content_type or "application/octet-stream")
        return Response(orjson.dumps(result), status, headers, media_type=content_type or "application/json")

    @staticmethod
    def _fault(
        fault: FaultStyle, err: ApiError, request_id: str, headers: dict[str, str], accept: str | None = None
    ) -> Response:
        if getattr(fault, "negotiates_accept", False):  # glance: webob picks the body type from Accept
            body, ctype = fault(err, request_id, accept)  # type: ignore[call-arg]
        else:
            body, ctype = fault(err, request_id)
        return Response(body, err.status, {**headers, **err.headers}, media_type=ctype)


class _EmptyResponse(Response):
    """An empty reply: no JSON content type (glanceclient decodes one and fails)."""

    def __init__(self, status: int, headers: dict[str, str], content_type: str | None) -> None:
        super().__init__(b"", status, headers, media_type=content_type)
        if content_type is None:
            # starlette sets content-length: 0; there is no content-type to take out.
            pass
