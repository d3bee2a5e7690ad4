"""How glance shows images, members and tasks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from twinstack.core.clock import isotime

ATTRIBUTES = (
    "name",
    "disk_format",
    "container_format",
    "visibility",
    "size",
    "virtual_size",
    "status",
    "checksum",
    "protected",
    "min_ram",
    "min_disk",
    "owner",
    "os_hidden",
    "os_hash_algo",
    "os_hash_value",
)
# Extra properties glance keeps for itself and never shows.
HIDDEN_PROPERTIES = ("os_glance_stage_host", "os_glance_hash_op_host")


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def image_view(row: Mapping[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {k: v for k, v in row["properties"].items() if k not in HIDDEN_PROPERTIES}
    for key in ATTRIBUTES:
        view[key] = row[key]
    image_id = row["id"]
    view["id"] = image_id
    view["created_at"] = isotime(_utc(row["created_at"]))
    view["updated_at"] = isotime(_utc(row["updated_at"]))
    view["tags"] = list(row["tags"])
    view["self"] = f"/v2/images/{image_id}"
    view["file"] = f"/v2/images/{image_id}/file"
    view["schema"] = "/v2/schemas/image"
    if row["location"] == "file":
        view["stores"] = "file"
    return view


def member_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "member_id": row["member_id"],
        "image_id": row["image_id"],
        "status": row["status"],
        "created_at": isotime(_utc(row["created_at"])),
        "updated_at": isotime(_utc(row["updated_at"])),
        "schema": "/v2/schemas/member",
    }


def _json_time(dt: datetime | None) -> str | None:
    return None if dt is None else dt.replace(tzinfo=None).isoformat(timespec="microseconds")


def task_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "type": row["type"],
        "status": row["status"],
        "owner": row["owner"],
        "image_id": row["image_id"],
        "user_id": row["user_id"],
        "request_id": row["request_id"],
        "input": row["input"],
        "result": row["result"],
        "message": row["message"],
        "expires_at": _json_time(row["expires_at"]),
        "created_at": _json_time(row["created_at"]),
        "updated_at": _json_time(row["updated_at"]),
        "deleted_at": None,
        "deleted": False,
    }
