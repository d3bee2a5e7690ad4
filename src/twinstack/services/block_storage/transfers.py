"""Volume transfers: offer a volume (``awaiting-transfer``) with an auth key, accept it into
another project (quota checked there), or cancel."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, NotFound
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import invalid_volume, truthy, volume_row

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService


def _hash(salt: str, key: str) -> str:
    return hashlib.sha256((salt + key).encode()).hexdigest()


class TransfersMixin:
    def create_transfer(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        name: str | None,
        no_snapshots: bool = False,
    ) -> tuple[dict[str, Any], str]:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] != "available":
                raise invalid_volume(
                    f"Status of volume {volume_id} must be available, but current status is: "
                    f"{volume['status']}."
                )
            auth_key = secrets.token_hex(8)
            salt = secrets.token_hex(8)
            row = {
                "id": self.cloud.ids.uuid(),
                "volume_id": volume_id,
                "source_project_id": volume["project_id"],
                "destination_project_id": None,
                "name": name,
                "salt": salt,
                "crypt_hash": _hash(salt, auth_key),
                "accepted": False,
                "no_snapshots": no_snapshots,
                "created_at": self.now(),
            }
            conn.execute(m.transfers.insert().values(**row))
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="awaiting-transfer", updated_at=self.now())
            )
        return row, auth_key

    def _transfer(
        self: BlockStorageService,
        conn: Any,
        ctx: RequestContext,
        transfer_id: str,
        *,
        any_project: bool = False,
    ) -> dict[str, Any]:
        row = (
            conn.execute(
                select(m.transfers).where(m.transfers.c.id == transfer_id, m.transfers.c.accepted.is_(False))
            )
            .mappings()
            .first()
        )
        if row is None or not (any_project or ctx.is_admin or row["source_project_id"] == ctx.project_id):
            raise NotFound(f"Transfer {transfer_id} could not be found.")
        return dict(row)

    def get_transfer(self: BlockStorageService, ctx: RequestContext, transfer_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            return self._transfer(conn, ctx, transfer_id)

    def list_transfers(
        self: BlockStorageService, ctx: RequestContext, filters: dict[str, str]
    ) -> list[dict[str, Any]]:
        query = select(m.transfers).where(m.transfers.c.accepted.is_(False))
        if not (ctx.is_admin and truthy(filters.get("all_tenants"))):
            query = query.where(m.transfers.c.source_project_id == ctx.project_id)
        if filters.get("volume_id"):
            query = query.where(m.transfers.c.volume_id == filters["volume_id"])
        if filters.get("name"):
            query = query.where(m.transfers.c.name == filters["name"])
        with self.cloud.db.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def delete_transfer(self: BlockStorageService, ctx: RequestContext, transfer_id: str) -> None:
        with self.cloud.db.begin() as conn:
            row = self._transfer(conn, ctx, transfer_id)
            conn.execute(delete(m.transfers).where(m.transfers.c.id == transfer_id))
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == row["volume_id"], m.volumes.c.status == "awaiting-transfer")
                .values(status="available", updated_at=self.now())
            )

    def accept_transfer(
        self: BlockStorageService, ctx: RequestContext, transfer_id: str, auth_key: str
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            row = self._transfer(conn, ctx, transfer_id, any_project=True)
            if _hash(row["salt"], str(auth_key)) != row["crypt_hash"]:
                raise BadRequest(
                    f"Invalid auth key: Attempt to transfer {transfer_id} with invalid auth key."
                )
            volume = (
                conn.execute(select(m.volumes).where(m.volumes.c.id == row["volume_id"])).mappings().first()
            )
            if volume is None or volume["status"] != "awaiting-transfer":
                raise invalid_volume("Status of volume must be awaiting-transfer.")
            vtype = self.types_by_id(conn).get(volume["volume_type_id"])
            self.check_volume_quota(conn, ctx.project_id or "", volume["size"], vtype)
            now = self.now()
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume["id"])
                .values(project_id=ctx.project_id, user_id=ctx.user_id, status="available", updated_at=now)
            )
            if not row["no_snapshots"]:
                conn.execute(
                    update(m.snapshots)
                    .where(m.snapshots.c.volume_id == volume["id"])
                    .values(project_id=ctx.project_id, user_id=ctx.user_id, updated_at=now)
                )
            conn.execute(
                update(m.transfers)
                .where(m.transfers.c.id == transfer_id)
                .values(accepted=True, destination_project_id=ctx.project_id)
            )
            row.update(accepted=True, destination_project_id=ctx.project_id)
        self.usage_changed(row["source_project_id"])
        self.usage_changed(ctx.project_id)
        return row
