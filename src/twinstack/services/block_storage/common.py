"""Helpers shared by the block storage service modules: cinder's errors, time, lookups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, or_, select

from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError, BadRequest, Conflict, NotFound
from twinstack.services.block_storage import models as m

DB_MAX_INT = 0x7FFFFFFF


class QuotaError(ApiError):
    """Cinder's ``QuotaError`` family: 413 with ``Retry-After: 0``."""

    status = 413
    kind = "OverQuota"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "0"})


def invalid_input(reason: str) -> BadRequest:
    return BadRequest(f"Invalid input received: {reason}")


def invalid_volume(reason: str) -> BadRequest:
    return BadRequest(f"Invalid volume: {reason}")


def invalid_snapshot(reason: str) -> BadRequest:
    return BadRequest(f"Invalid snapshot: {reason}")


def invalid_backup(reason: str) -> BadRequest:
    return BadRequest(f"Invalid backup: {reason}")


def invalid_volume_type(reason: str) -> BadRequest:
    return BadRequest(f"Invalid volume type: {reason}")


def conflict(reason: str) -> Conflict:
    return Conflict(reason)


def or_str(items: tuple[str, ...] | list[str]) -> str:
    """cinder's ``build_or_str``: ``a or b or c``."""
    return " or ".join(items)


def utcnow(ctx_clock: Any) -> datetime:
    """Naive UTC (what the tables store)."""
    return ctx_clock.now().replace(tzinfo=None)


def one_of(column: Any, values: tuple[str, ...]) -> ColumnElement[bool]:
    """``column IN (values)`` as plain comparisons: a prebuilt statement then has no
    expanding parameter to render again at each execution."""
    return or_(*(column == v for v in values))


# SELECT one row by id, built once per table (no per-call statement construction)
_BY_ID = {
    t.name.removeprefix("block_storage_"): select(t).where(t.c.id == bindparam("id"))
    for t in (m.volumes, m.snapshots, m.backups, m.attachments)
}


def volume_row(conn: Connection, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
    """A volume the caller may see (admins see all), else cinder's 404."""
    row = conn.execute(_BY_ID["volumes"], {"id": volume_id}).mappings().first()
    if row is None or not (ctx.is_admin or row["project_id"] == ctx.project_id):
        raise NotFound(f"Volume {volume_id} could not be found.")
    return dict(row)


def snapshot_row(conn: Connection, ctx: RequestContext, snapshot_id: str) -> dict[str, Any]:
    row = conn.execute(_BY_ID["snapshots"], {"id": snapshot_id}).mappings().first()
    if row is None or not (ctx.is_admin or row["project_id"] == ctx.project_id):
        raise NotFound(f"Snapshot {snapshot_id} could not be found.")
    return dict(row)


def backup_row(conn: Connection, ctx: RequestContext, backup_id: str) -> dict[str, Any]:
    row = conn.execute(_BY_ID["backups"], {"id": backup_id}).mappings().first()
    if row is None or not (ctx.is_admin or row["project_id"] == ctx.project_id):
        raise NotFound(f"Backup {backup_id} could not be found.")
    return dict(row)


def attachment_row(conn: Connection, ctx: RequestContext, attachment_id: str) -> dict[str, Any]:
    row = conn.execute(_BY_ID["attachments"], {"id": attachment_id}).mappings().first()
    if row is None or not (ctx.is_admin or row["project_id"] == ctx.project_id):
        raise NotFound(f"Volume attachment could not be found with filter: attachment_id = {attachment_id}.")
    return dict(row)


TRUE_STRINGS = ("true", "1", "on", "yes", "y", "t")
FALSE_STRINGS = ("false", "0", "off", "no", "n", "f")


def parse_bool(value: Any, name: str) -> bool:
    """cinder's ``strutils.bool_from_string(strict=True)`` with its 400."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_STRINGS:
        return True
    if text in FALSE_STRINGS:
        return False
    raise invalid_input(f"{name} must be a boolean: '{value}'")


def parse_size(value: Any, name: str = "size") -> int:
    """An integer >= 1 from an int or a digit string; else cinder's 400."""
    if isinstance(value, bool) or value is None:
        raise invalid_input(f"{name} must be an integer greater than 0")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str) and value.strip().isdigit():
        size = int(value)
    else:
        if isinstance(value, float) and value.is_integer():
            size = int(value)
        else:
            raise invalid_input(
                f"{name} must be an integer (or string representation of an integer) and greater than zero"
            )
    if size < 1 or size > DB_MAX_INT:
        raise invalid_input(
            f"Invalid volume size provided for create request: {value} (size argument "
            "must be an integer (or string representation of an integer) and greater "
            "than zero)."
        )
    return size


def truthy(value: Any) -> bool:
    """A query flag as cinder reads it (oslo's ``bool_from_string``)."""
    return value is not None and str(value).strip().lower() in ("1", "true", "yes", "on", "t", "y")


def project_scoped(
    query: Any, table: Any, ctx: RequestContext, filters: dict[str, str], equal_keys: tuple[str, ...]
) -> Any:
    """Cinder's list scoping: the caller's project; for an admin, ``all_tenants`` or a
    ``project_id`` filter; then the equality filters of ``equal_keys`` that were given."""
    if ctx.is_admin and filters.get("project_id"):
        query = query.where(table.c.project_id == filters["project_id"])
    elif not (ctx.is_admin and truthy(filters.get("all_tenants"))):
        query = query.where(table.c.project_id == ctx.project_id)
    for key in equal_keys:
        if filters.get(key):
            query = query.where(getattr(table.c, key) == filters[key])
    return query
