"""Image members (sharing with other projects) and tags, as glance's controllers do them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from twinstack.services.image import models as m
from twinstack.services.image.views import member_view

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from twinstack.services.image.service import ImageService

MEMBER_STATUSES = ("pending", "accepted", "rejected")
MEMBER_QUOTA = 128


def _image_missing(image_id: str) -> NotFound:
    return NotFound(f"Image {image_id} not found.")


class MembersMixin:
    def _lookup(self: ImageService, conn: Connection, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        try:
            return self._get_visible(conn, ctx, image_id)
        except NotFound:
            raise _image_missing(image_id) from None

    def _member_row(self: ImageService, conn: Connection, image_id: str, member_id: str) -> dict[str, Any]:
        row = (
            conn.execute(
                select(m.members).where(m.members.c.image_id == image_id, m.members.c.member_id == member_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"{member_id} not found in the member list of the image {image_id}.")
        return dict(row)

    def add_member(self: ImageService, ctx: RequestContext, image_id: str, member_id: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            denied = Forbidden(f"Not allowed to create members for image {image_id}.")
            if image["visibility"] != "shared":
                raise denied
            if not self.cloud.policy.check(ctx, "add_member", self._target(conn, ctx, image)):
                raise denied
            existing = conn.execute(
                select(m.members.c.member_id).where(m.members.c.image_id == image_id)
            ).all()
            if any(r[0] == member_id for r in existing):
                raise Conflict(f"Member {member_id} is duplicated for image {image_id}")
            if len(existing) >= MEMBER_QUOTA:
                raise PayloadTooLarge(
                    f"Image member limit exceeded for image {image_id}: Maximum number of "
                    f"image members exceeded. Attempted: {len(existing) + 1}, "
                    f"Maximum: {MEMBER_QUOTA}:"
                )
            now = self._now()
            row = {
                "image_id": image_id,
                "member_id": member_id,
                "status": "pending",
                "created_at": now,
                "updated_at": now,
            }
            conn.execute(insert(m.members).values(**row))
        return member_view(row)

    def update_member(
        self: ImageService, ctx: RequestContext, image_id: str, member_id: str, status: Any
    ) -> dict[str, Any]:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            denied = Forbidden(f"Not allowed to update members for image {image_id}.")
            if image["visibility"] != "shared":
                raise denied
            row = self._visible_member(conn, ctx, image, member_id)
            if not self.cloud.policy.check(ctx, "modify_member", self._target(conn, ctx, image)):
                raise denied
            if status not in MEMBER_STATUSES:
                raise BadRequest('Incorrect request: Status must be "pending", "accepted" or "rejected".')
            row.update(status=status, updated_at=self._now())
            conn.execute(
                update(m.members)
                .where(m.members.c.image_id == image_id, m.members.c.member_id == member_id)
                .values(status=status, updated_at=row["updated_at"])
            )
        return member_view(row)

    def _visible_member(
        self: ImageService, conn: Connection, ctx: RequestContext, image: dict[str, Any], member_id: str
    ) -> dict[str, Any]:
        if not self.cloud.policy.check(ctx, "get_member", self._target(conn, ctx, image)):
            raise Forbidden(f"You are not authorized to lookup the members of the image {image['id']}.")
        if not (ctx.is_admin or image["owner"] == ctx.project_id or member_id == ctx.project_id):
            raise NotFound(f"{member_id} not found in the member list of the image {image['id']}.")
        return self._member_row(conn, image["id"], member_id)

    def list_members(self: ImageService, ctx: RequestContext, image_id: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            if image["visibility"] != "shared":
                raise Forbidden(
                    f"Not allowed to list members for image {image_id}: Only shared images have members."
                )
            if not self.cloud.policy.check(ctx, "get_members", self._target(conn, ctx, image)):
                raise Forbidden(
                    f"Not allowed to list members for image {image_id}: You are not authorized "
                    "to complete get_members action."
                )
            query = select(m.members).where(m.members.c.image_id == image_id)
            if not (ctx.is_admin or image["owner"] == ctx.project_id):
                query = query.where(m.members.c.member_id == ctx.project_id)
            rows = conn.execute(query.order_by(m.members.c.created_at)).mappings().all()
        return [member_view(r) for r in rows]

    def get_member(self: ImageService, ctx: RequestContext, image_id: str, member_id: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            if image["visibility"] != "shared":
                raise NotFound("Only shared images have members.")
            try:
                return member_view(self._visible_member(conn, ctx, image, member_id))
            except Forbidden as err:
                raise NotFound(err.message) from None

    def delete_member(self: ImageService, ctx: RequestContext, image_id: str, member_id: str) -> None:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            denied = Forbidden(f"Not allowed to delete members for image {image_id}.")
            if image["visibility"] != "shared":
                raise denied
            self._visible_member(conn, ctx, image, member_id)
            if not self.cloud.policy.check(ctx, "delete_member", self._target(conn, ctx, image)):
                raise denied
            conn.execute(
                delete(m.members).where(m.members.c.image_id == image_id, m.members.c.member_id == member_id)
            )

    # tags ------------------------------------------------------------------------------------
    def add_tag(self: ImageService, ctx: RequestContext, image_id: str, tag: str) -> None:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            if not self.cloud.policy.check(ctx, "modify_image", self._target(conn, ctx, image)):
                raise Forbidden(f"Not allowed to update tags for image {image_id}.")
            if len(tag) > 255:
                raise BadRequest(
                    f"Could not update image: Provided object does not match schema 'image': "
                    f"'{tag}' is too long"
                )
            tags = list(image["tags"])
            if tag in tags:
                return
            if len(tags) >= 128:
                raise PayloadTooLarge(
                    f"Image tag limit exceeded for image {image_id}: Maximum number of tags "
                    f"exceeded. Attempted: {len(tags) + 1}, Maximum: 128:"
                )
            tags.append(tag)
            self._update(conn, image_id, tags=tags, updated_at=self._now())

    def delete_tag(self: ImageService, ctx: RequestContext, image_id: str, tag: str) -> None:
        with self.db.begin() as conn:
            image = self._lookup(conn, ctx, image_id)
            if not self.cloud.policy.check(ctx, "modify_image", self._target(conn, ctx, image)):
                raise Forbidden(f"Not allowed to delete tags for image {image_id}.")
            tags = list(image["tags"])
            if tag not in tags:
                raise NotFound("The resource could not be found.")
            tags.remove(tag)
            self._update(conn, image_id, tags=tags, updated_at=self._now())
