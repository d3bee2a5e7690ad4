"""``GET /v2/images``: glance's filters, sort keys and directions, marker/limit paging.

The caller's visible images are read with one query (visibility as glance's
``_select_images_query``), then filtered, sorted and paged in Python with glance's semantics:
``created_at`` and ``id`` are appended as tie-breakers, NULLs sort first, and a marker pages by
its sort values (keyset), so it works even if the marker itself would be filtered out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from twinstack.core.clock import parse_isotime
from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Forbidden
from twinstack.services.image import models as m
from twinstack.services.image.views import image_view

if TYPE_CHECKING:
    from twinstack.services.image.service import ImageService

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
MEMBER_STATUSES = ("pending", "accepted", "rejected", "all")
OPERATOR_KEYS = ("name", "id", "status", "container_format", "disk_format")
NUMERIC = ("size", "virtual_size", "min_ram", "min_disk")
COLUMN_FILTERS = (
    "owner",
    "checksum",
    "os_hash_value",
    "os_hash_algo",
    "min_ram",
    "min_disk",
    "size",
    "virtual_size",
    "protected",
    "os_hidden",
    "visibility",
)
TIME_OPS: dict[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}


class Query:
    """A parsed list request."""

    def __init__(self, params: Sequence[tuple[str, str]], settings_default: int, settings_max: int) -> None:
        items = list(params)

        def pop_all(key: str) -> list[str]:
            values = [v for k, v in items if k == key]
            items[:] = [(k, v) for k, v in items if k != key]
            return values

        limits = pop_all("limit")
        markers = pop_all("marker")
        statuses = pop_all("member_status")
        self.member_status = statuses[0] if statuses else "accepted"
        if self.member_status not in MEMBER_STATUSES:
            raise BadRequest(f"Invalid status: {self.member_status}")
        self.tags = [t.strip() for t in pop_all("tag")]
        self.marker = markers[0] if markers else None
        self.sort_keys, self.sort_dirs = _sorting(pop_all)
        self.filters: dict[str, str] = {}
        for key, value in items:
            self.filters[key] = value
        visibility = self.filters.get("visibility")
        if visibility and visibility not in ("community", "public", "private", "shared", "all"):
            raise BadRequest(f"Invalid visibility value: {visibility}")
        if self.filters.get("changes-since"):
            raise BadRequest('The "changes-since" filter is no longer available on v2.')
        limit = settings_default
        if limits:
            try:
                limit = int(limits[0])
            except ValueError:
                raise BadRequest("limit param must be an integer") from None
            if limit < 0:
                raise BadRequest("limit param must be positive")
        self.limit = min(settings_max, limit)
        hidden = self.filters.pop("os_hidden", "false").lower()
        if hidden not in ("true", "false"):
            raise BadRequest(
                f"Invalid value '{hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'."
            )
        self.os_hidden = hidden == "true"
        protected = self.filters.get("protected")
        if protected is not None and protected not in ("true", "false"):
            raise BadRequest(
                f"Invalid value '{protected}' for 'protected' filter. Valid values are 'true' or 'false'."
            )
        self.filters.pop("deleted", None)  # glance's own column: never true for what we keep


def _sorting(pop_all: Callable[[str], list[str]]) -> tuple[list[str], list[str]]:
    def key_ok(key: str) -> str:
        if key not in SORT_KEYS:
            raise BadRequest(
                f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}."
            )
        return key

    def dir_ok(direction: str) -> str:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid sort direction: {direction}")
        return direction

    new = pop_all("sort")
    old_keys, old_dirs = pop_all("sort_key"), pop_all("sort_dir")
    keys: list[str] = []
    dirs: list[str] = []
    if new:
        if old_keys or old_dirs:
            raise BadRequest("Old and new sorting syntax cannot be combined")
        for part in new[0].strip().split(","):
            key, _, direction = part.partition(":")
            keys.append(key_ok(key.strip()))
            dirs.append(dir_ok((direction or "desc").strip()))
    else:
        keys = [key_ok(k.strip()) for k in old_keys]
        dirs = [dir_ok(d.strip()) for d in old_dirs]
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise BadRequest("Number of sort dirs does not match the number of sort keys")
    keys = keys or ["created_at"]
    dirs = dirs or ["desc"]
    if len(dirs) == 1:
        dirs = dirs * len(keys)
    default_dir = dirs[0]
    for key in ("created_at", "id"):
        if key not in keys:
            keys.append(key)
            dirs.append(default_dir)
    return keys, dirs


def split_op(expression: str) -> tuple[str, str]:
    """glance's ``split_filter_op``: ``in:a,b`` -> (in, "a,b"); an ISO time keeps its colons."""
    left, sep, right = expression.partition(":")
    if not sep:
        return "eq", left
    try:
        parse_isotime(expression)
        return "eq", expression
    except ValueError:
        return left, right


def split_quoted(value: str) -> list[str]:
    """Comma-separated values, where a double-quoted value may hold commas."""
    out: list[str] = []
    current = ""
    quoted = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _matcher(key: str, value: str) -> Callable[[dict[str, Any]], bool]:
    if key.endswith(("_min", "_max")) and key[:-4] in NUMERIC:
        column = key[:-4]
        try:
            bound = int(value)
        except ValueError:
            raise BadRequest("Unable to filter on a range with a non-numeric value.") from None
        if key.endswith("_min"):
            return lambda r: r[column] is not None and r[column] >= bound
        return lambda r: r[column] is not None and r[column] <= bound
    if key in ("created_at", "updated_at"):
        op, text = split_op(value)
        try:
            threshold = parse_isotime(text).replace(tzinfo=None)
        except ValueError:
            raise BadRequest(f'Bad "{key}" query filter format. Use ISO 8601 DateTime notation.') from None
        compare = TIME_OPS.get(op)
        if compare is None:
            raise BadRequest("Unable to filter on a unknown operator.")
        return lambda r: compare(r[key].replace(tzinfo=None, microsecond=0), threshold)
    if key in OPERATOR_KEYS:
        op, text = split_op(value)
        if op == "in":
            wanted = set(split_quoted(text))
            return lambda r: r[key] in wanted
        if op != "eq":
            raise BadRequest(f"Unable to filter by unknown operator '{op}'.")
        return lambda r: r[key] == text
    if key in COLUMN_FILTERS:
        return lambda r: _as_text(r[key]) == value
    return lambda r: key in r["properties"] and _as_text(r["properties"][key]) == value


def _sort_value(row: dict[str, Any], key: str) -> tuple[int, Any]:
    value = row[key]
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return (0, None) if value is None else (1, value)


class ListingMixin:
    def list_images(
        self: ImageService, ctx: RequestContext, params: Sequence[tuple[str, str]]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The visible images for a list request, and the next marker when the page is full."""
        query = Query(params, self.settings.limit_param_default, self.settings.api_limit_max)
        if not self.cloud.policy.check(ctx, "get_images", {"project_id": ctx.project_id}):
            raise Forbidden("You are not authorized to complete get_images action.")
        with self.db.begin() as conn:
            rows = self._candidates(conn, ctx, query)
            marker_row = None
            if query.marker is not None:
                marker_row = self._row(conn, query.marker)
                if marker_row is None or not self._visible(conn, ctx, marker_row):
                    raise BadRequest(f"No image found with ID {query.marker}")
        matchers = [_matcher(k, v) for k, v in query.filters.items() if k != "visibility"]
        rows = [
            r
            for r in rows
            if r["os_hidden"] == query.os_hidden
            and all(f(r) for f in matchers)
            and all(t in r["tags"] for t in query.tags)
        ]
        order = functools.cmp_to_key(lambda a, b: _compare(a, b, query.sort_keys, query.sort_dirs))
        rows.sort(key=order)
        if marker_row is not None:
            pivot = order(marker_row)
            rows = [r for r in rows if order(r) > pivot]
        page = rows[: query.limit]
        next_marker = page[-1]["id"] if page and len(page) == query.limit else None
        return [image_view(r) for r in page], next_marker

    def _candidates(self: ImageService, conn: Any, ctx: RequestContext, query: Query) -> list[dict[str, Any]]:
        images = m.images
        stmt = select(images).where(images.c.status.notin_(("killed", "deleted")))
        visibility = query.filters.get("visibility")
        project = ctx.project_id
        shared_ids: set[str] = set()
        if not ctx.is_admin:
            member_q = select(m.members.c.image_id).where(m.members.c.member_id == project)
            if query.member_status != "all":
                member_q = member_q.where(m.members.c.status == query.member_status)
            shared_ids = {r[0] for r in conn.execute(member_q)}
            stmt = stmt.where(
                or_(
                    images.c.visibility.in_(("public", "community")),
                    images.c.owner == project,
                    (images.c.visibility == "shared") & images.c.id.in_(shared_ids),
                )
            )
        if visibility and visibility != "all":
            stmt = stmt.where(images.c.visibility == visibility)
        elif not visibility:
            stmt = stmt.where(or_(images.c.owner == project, images.c.visibility != "community"))
        return [dict(r) for r in conn.execute(stmt).mappings()]


def _compare(a: dict[str, Any], b: dict[str, Any], keys: list[str], dirs: list[str]) -> int:
    for key, direction in zip(keys, dirs, strict=True):
        va, vb = _sort_value(a, key), _sort_value(b, key)
        if va == vb:
            continue
        less = va < vb
        if direction == "asc":
            return -1 if less else 1
        return 1 if less else -1
    return 0
