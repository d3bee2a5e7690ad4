"""What keystone's topic modules share: policy, bodies, list filters and links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse
from twinstack.core.validation import validate
from twinstack.services.identity.common import as_bool
from twinstack.services.identity.service import DEFAULT_DOMAIN_ID, IdentityService


def identity(req: ApiRequest) -> IdentityService:
    return req.cloud.service("identity")  # type: ignore[no-any-return]


def enforce(req: ApiRequest, rule: str, target: Mapping[str, Any] | None = None) -> None:
    """Keystone's policy check (403 ``You are not authorized to perform the requested action``)."""
    req.cloud.policy.enforce(
        req.ctx, "identity:" + rule, {"user_id": req.path.get("user_id"), **(target or {})}
    )


def payload(req: ApiRequest, schema: dict[str, Any], key: str) -> dict[str, Any]:
    """The validated body's ``key`` object."""
    validate(schema, req.body)
    return dict(req.body[key])


def token_domain(req: ApiRequest) -> str:
    """The domain a create without ``domain_id`` goes to: the token's, else ``default``."""
    return req.ctx.domain_id or req.ctx.project_domain_id or DEFAULT_DOMAIN_ID


def created(key: str, view: dict[str, Any]) -> ApiResponse:
    return ApiResponse({key: view}, status=201)


def links(req: ApiRequest) -> dict[str, Any]:
    url = req.url_for(req.request.url.path)
    if req.request.url.query:
        url += "?" + req.request.url.query
    return {"self": url, "previous": None, "next": None}


_COMPARATORS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda value, want: want in value,
    "icontains": lambda value, want: want.lower() in value.lower(),
    "startswith": lambda value, want: value.startswith(want),
    "istartswith": lambda value, want: value.lower().startswith(want.lower()),
    "endswith": lambda value, want: value.endswith(want),
    "iendswith": lambda value, want: value.lower().endswith(want.lower()),
}


def matches(view: Mapping[str, Any], query: Mapping[str, str], fields: Iterable[str]) -> bool:
    """Keystone's list filters: exact values (booleans read as keystone reads them) and the
    ``<field>__contains`` family of comparators on string fields. Unknown parameters are ignored."""
    for field in fields:
        if field in query:
            want = query[field]
            value = view.get(field)
            if isinstance(value, bool) or field == "enabled":
                if bool(value) != as_bool(want):
                    return False
            elif value != want and not (value is None and want in ("", "null", "None")):
                return False
        for op, compare in _COMPARATORS.items():
            key = f"{field}__{op}"
            if key in query:
                value = view.get(field)
                if not isinstance(value, str) or not compare(value, query[key]):
                    return False
    return True


def listing(
    req: ApiRequest, key: str, views: Iterable[dict[str, Any]], fields: Iterable[str] = ()
) -> dict[str, Any]:
    fields = tuple(fields)
    query = req.query
    return {key: [v for v in views if matches(v, query, fields)], "links": links(req)}
