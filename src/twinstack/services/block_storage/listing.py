"""Cinder's list parameters: filters, ``sort``/``sort_key``/``sort_dir``, ``marker``, ``limit``,
``offset`` and the ``*_links`` next link, applied to rows already scoped to the caller."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from twinstack.core.errors import BadRequest, NotFound
from twinstack.services.block_storage.common import invalid_input


@dataclass
class ListParams:
    sort: list[tuple[str, str]] = field(default_factory=list)
    marker: str | None = None
    limit: int | None = None
    offset: int = 0
    filters: dict[str, str] = field(default_factory=dict)


PAGING_KEYS = {"sort", "sort_key", "sort_dir", "marker", "limit", "offset", "with_count"}


def parse_list_params(query: Mapping[str, str], *, max_limit: int = 1000) -> ListParams:
    params = ListParams()
    if "sort" in query:
        for item in str(query["sort"]).split(","):
            key, _, direction = item.strip().partition(":")
            if not key:
                continue
            params.sort.append((key.strip(), (direction or "desc").strip().lower()))
    elif "sort_key" in query or "sort_dir" in query:
        keys = str(query.get("sort_key", "created_at")).split(",")
        dirs = str(query.get("sort_dir", "desc")).split(",")
        for i, key in enumerate(keys):
            params.sort.append((key.strip(), (dirs[i] if i < len(dirs) else dirs[-1]).strip().lower()))
    for _, direction in params.sort:
        if direction not in ("asc", "desc"):
            raise invalid_input("Unknown sort direction, must be 'desc' or 'asc'")
    if "limit" in query:
        try:
            params.limit = int(query["limit"])
        except ValueError:
            raise BadRequest("limit param must be an integer") from None
        if params.limit < 0:
            raise BadRequest("limit param must be positive")
        params.limit = min(params.limit, max_limit)
    if "offset" in query:
        try:
            params.offset = int(query["offset"])
        except ValueError:
            raise BadRequest("offset param must be an integer") from None
        if params.offset < 0:
            raise BadRequest("offset param must be positive")
    params.marker = query.get("marker") or None
    params.filters = {k: v for k, v in query.items() if k not in PAGING_KEYS}
    return params


def parse_metadata_filter(text: str) -> dict[str, str]:
    """``metadata={'k': 'v'}`` (python literal) or JSON, as cinder accepts it."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
    raise invalid_input(f"Invalid filters metadata={text} are found in query options.")


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value.isoformat())
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


def apply(
    rows: list[dict[str, Any]],
    params: ListParams,
    *,
    sort_keys: set[str],
    key_alias: dict[str, str] | None = None,
    default_sort: list[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Sort, then page (marker, offset, limit). ``rows`` are already filtered."""
    alias = key_alias or {}
    sort = params.sort or default_sort or [("created_at", "desc")]
    resolved = []
    for key, direction in sort:
        column = alias.get(key, key)
        if column not in sort_keys:
            raise invalid_input(f"Invalid sort key: {key}")
        resolved.append((column, direction))
    if not any(k == "id" for k, _ in resolved):
        resolved.append(("id", resolved[-1][1] if resolved else "desc"))
    for column, direction in reversed(resolved):
        rows.sort(key=lambda r, c=column: _sort_value(r.get(c)), reverse=direction == "desc")
    if params.marker:
        for i, row in enumerate(rows):
            if row["id"] == params.marker:
                rows = rows[i + 1 :]
                break
        else:
            raise NotFound(f"Marker {params.marker} could not be found.")
    if params.offset:
        rows = rows[params.offset :]
    if params.limit is not None:
        rows = rows[: params.limit]
    return rows
