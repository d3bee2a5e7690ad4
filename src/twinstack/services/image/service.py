"""The image service layer: glance's rules over its tables and its file store.

Other services reach images only through ``ImageService`` (``cloud.service("image")``): the
interface in /work/notes/interfaces.md is ``get_image``, ``create_image``,
``upload_image_data``, ``open_image_data``, ``delete_image`` and ``set_image_status``. The HTTP
adapters in ``api/`` call the same class. Members and tags live in ``members.py``, image data
(upload, download, stage, import) in ``data.py``, listing in ``listing.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from twinstack.services.image import models as m
from twinstack.services.image import policy as image_policy
from twinstack.services.image.data import ImageDataMixin
from twinstack.services.image.listing import ListingMixin
from twinstack.services.image.members import MembersMixin
from twinstack.services.image.metadefs import MetadefsMixin
from twinstack.services.image.schemas import VISIBILITIES, validation_error
from twinstack.services.image.settings import ImageSettings
from twinstack.services.image.store import FileStore, StoredData
from twinstack.services.image.views import image_view

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

# Request-body rules of glance's images deserializer.
DISALLOWED = ("direct_url", "self", "file", "schema", "stores")
READ_ONLY = (
    "created_at",
    "updated_at",
    "status",
    "checksum",
    "size",
    "virtual_size",
    "direct_url",
    "self",
    "file",
    "schema",
    "id",
    "os_hash_algo",
    "os_hash_value",
)
RESERVED = ("location", "deleted", "deleted_at")
RESERVED_NAMESPACE = "os_glance"
# Keys of a create body that are image attributes rather than extra properties.
CREATE_ATTRIBUTES = (
    "checksum",
    "created_at",
    "container_format",
    "disk_format",
    "id",
    "min_disk",
    "min_ram",
    "name",
    "size",
    "virtual_size",
    "status",
    "owner",
    "updated_at",
    "visibility",
    "protected",
    "os_hidden",
)
# ImageFactory: attributes a create may not set, extra properties it may not use.
FACTORY_READ_ONLY = (
    "created_at",
    "updated_at",
    "status",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "size",
    "virtual_size",
)
FACTORY_RESERVED = ("owner", "locations", "deleted", "deleted_at", "direct_url", "self", "file", "schema")
# Attributes of glance's Image object (a patch sets these, not extra properties).
IMAGE_ATTRIBUTES = frozenset(
    {
        "name",
        "visibility",
        "os_hidden",
        "min_disk",
        "min_ram",
        "protected",
        "locations",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "owner",
        "disk_format",
        "container_format",
        "size",
        "virtual_size",
        "tags",
        "status",
        "created_at",
        "updated_at",
        "member",
    }
)
# Valid status moves (glance's Image.valid_state_targets).
TRANSITIONS = {
    "queued": ("saving", "uploading", "importing", "active", "deleted"),
    "saving": ("active", "killed", "deleted", "queued"),
    "uploading": ("importing", "queued", "deleted"),
    "importing": ("active", "deleted", "queued"),
    "active": ("pending_delete", "deleted", "deactivated"),
    "killed": ("deleted",),
    "pending_delete": ("deleted", "active"),
    "deleted": (),
    "deactivated": ("active", "deleted"),
}
PROPERTY_QUOTA = 128
TAG_QUOTA = 128


# Statements built once: SQLAlchemy then only binds parameters (a large share of a request's CPU).
SELECT_IMAGE = select(m.images).where(m.images.c.id == bindparam("image_id"))
SELECT_MEMBERSHIP = select(m.members.c.status).where(
    m.members.c.image_id == bindparam("image_id"), m.members.c.member_id == bindparam("member_id")
)
UPDATE_IMAGE = m.images.update().where(m.images.c.id == bindparam("_id"))
DELETE_IMAGE = m.images.delete().where(m.images.c.id == bindparam("image_id"))
INSERT_IMAGE = m.images.insert()


def utcnow(cloud: Cloud) -> datetime:
    return cloud.clock.now().astimezone(UTC).replace(tzinfo=None)


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, ()):
        raise Conflict(f"Image status transition from {current} to {new} is not allowed")


def image_not_found(image_id: str) -> NotFound:
    return NotFound(f"No image found with ID {image_id}")


class ImageService(ImageDataMixin, MembersMixin, ListingMixin, MetadefsMixin):
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.settings = ImageSettings.from_env()
        self._temp_root: Path | None = None
        self.store = FileStore(self._store_root())
        self._staged: dict[str, StoredData] = {}
        image_policy.register(cloud.policy)

    def _store_root(self) -> Path:
        if self.settings.store_dir is not None:
            return self.settings.store_dir
        if self.cloud.settings.ephemeral:
            self._temp_root = Path(tempfile.mkdtemp(prefix="twinstack-images-"))
            return self._temp_root
        return self.cloud.settings.data_dir / "images"

    def close(self) -> None:
        self.store.close(remove=self._temp_root is not None)

    @staticmethod
    def _update(conn: Connection, image_id: str, **values: Any) -> None:
        conn.execute(UPDATE_IMAGE, {"_id": image_id, **values})

    def _now(self) -> datetime:
        return utcnow(self.cloud)

    # lookups and policy --------------------------------------------------------------------
    def _row(self, conn: Connection, image_id: str) -> dict[str, Any] | None:
        row = conn.execute(SELECT_IMAGE, {"image_id": image_id}).mappings().first()
        return dict(row) if row else None

    def _is_member(self, conn: Connection, ctx: RequestContext, image_id: str) -> bool:
        if ctx.project_id is None:
            return False
        found = conn.execute(SELECT_MEMBERSHIP, {"image_id": image_id, "member_id": ctx.project_id}).first()
        return found is not None

    def _target(self, conn: Connection, ctx: RequestContext, row: Mapping[str, Any]) -> dict[str, Any]:
        member = None
        # Membership only matters to policy for a non-admin outside the owning project.
        if not ctx.is_admin and row["owner"] != ctx.project_id and self._is_member(conn, ctx, row["id"]):
            member = ctx.project_id
        return {
            "project_id": row["owner"],
            "owner": row["owner"],
            "visibility": row["visibility"],
            "member_id": member,
        }

    def _visible(self, conn: Connection, ctx: RequestContext, row: Mapping[str, Any]) -> bool:
        """glance's ``is_image_visible`` plus the ``get_image`` policy."""
        if ctx.is_admin or row["owner"] is None or row["visibility"] in ("public", "community"):
            return self.cloud.policy.check(ctx, "get_image", self._target(conn, ctx, row))
        if ctx.project_id is not None and row["owner"] == ctx.project_id:
            pass
        elif not (row["visibility"] == "shared" and self._is_member(conn, ctx, row["id"])):
            return False
        return self.cloud.policy.check(ctx, "get_image", self._target(conn, ctx, row))

    def _get_visible(self, conn: Connection, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        return self._check_visible(conn, ctx, image_id, self._row(conn, image_id))

    def _check_visible(
        self, conn: Connection, ctx: RequestContext, image_id: str, row: dict[str, Any] | None
    ) -> dict[str, Any]:
        """``row`` (image ``image_id``, or None) if the caller may see it, else 404."""
        if row is None or row["status"] == "deleted" or not self._visible(conn, ctx, row):
            raise image_not_found(image_id)
        return row

    def _enforce(
        self,
        conn: Connection,
        ctx: RequestContext,
        rule: str,
        row: Mapping[str, Any],
        message: str | None = None,
    ) -> None:
        """Enforce an image rule: Forbidden when the caller sees the image, NotFound otherwise."""
        if self.cloud.policy.check(ctx, rule, self._target(conn, ctx, row)):
            return
        raise Forbidden(message or f"You are not authorized to complete {rule} action.")

    def _enforce_visibility(self, ctx: RequestContext, visibility: Any, target: Mapping[str, Any]) -> None:
        rule = {"public": "publicize_image", "community": "communitize_image"}.get(visibility)
        if rule and not self.cloud.policy.check(ctx, rule, target):
            raise Forbidden(f"You are not authorized to complete {rule} action.")

    # the interface for other services -------------------------------------------------------
    def get_image(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            return image_view(self._get_visible(conn, ctx, image_id))

    def create_image(
        self,
        ctx: RequestContext,
        *,
        name: str | None,
        disk_format: str | None = "raw",
        container_format: str | None = "bare",
        visibility: str = "private",
        properties: dict[str, Any] | None = None,
        min_disk: int = 0,
        min_ram: int = 0,
        **attributes: Any,
    ) -> dict[str, Any]:
        """Create a queued image. Like nova's glance client, ``None`` properties are dropped and
        other values are given as strings (glance's extra properties are strings)."""
        extra = {
            k: v if isinstance(v, str) else str(v) for k, v in (properties or {}).items() if v is not None
        }
        body: dict[str, Any] = {
            "name": name,
            "disk_format": disk_format,
            "container_format": container_format,
            "visibility": visibility,
            "min_disk": min_disk,
            "min_ram": min_ram,
            **attributes,
            **extra,
        }
        return self.create(ctx, body)

    def delete_image(self, ctx: RequestContext, image_id: str) -> None:
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            self._enforce(conn, ctx, "delete_image", row)
            if row["protected"]:
                raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            # Its members go with it: image_members.image_id is ON DELETE CASCADE (and SQLite
            # connections enforce foreign keys).
            conn.execute(DELETE_IMAGE, {"image_id": image_id})
        # Only an image being staged or imported has staged data.
        self.store.delete(image_id, staged=row["status"] in ("uploading", "importing"))
        self._staged.pop(image_id, None)

    def set_image_status(self, image_id: str, status: str) -> None:
        """Move an image to ``status`` (nova's snapshot flow), following glance's transitions."""
        with self.db.begin() as conn:
            row = self._row(conn, image_id)
            if row is None:
                raise image_not_found(image_id)
            if row["status"] == status:
                return
            check_transition(row["status"], status)
            values: dict[str, Any] = {"status": status, "updated_at": utcnow(self.cloud)}
            if status == "queued":
                values.update(size=None, virtual_size=None)
            self._update(conn, image_id, **values)

    # create ----------------------------------------------------------------------------------
    def create(self, ctx: RequestContext, body: Any) -> dict[str, Any]:
        """``POST /v2/images``: glance's deserializer, factory and policy rules, in order."""
        if body is None:
            raise BadRequest("Body expected in request.")
        if not isinstance(body, dict):
            raise BadRequest(validation_error(body) or "Body must be a JSON object.")
        for key in DISALLOWED:
            if key in body:
                raise Forbidden(f"Attribute '{key}' is read-only.")
        error = validation_error(body)
        if error:
            raise BadRequest(error)
        properties = dict(body)
        tags = properties.pop("tags", [])
        image = {key: properties.pop(key) for key in CREATE_ATTRIBUTES if key in properties}
        for key in properties:
            if len(key) > 255:
                raise BadRequest("Custom property should not be greater than 255 characters.")
            if key in RESERVED or key.startswith(RESERVED_NAMESPACE):
                raise Forbidden(f"Attribute '{key}' is reserved.")
        owner = image.get("owner", ctx.project_id)
        target = {"project_id": owner, "owner": owner, "visibility": image.get("visibility", "private")}
        if not self.cloud.policy.check(ctx, "add_image", target):
            if owner != ctx.project_id:
                raise Forbidden(f"You are not permitted to create images owned by '{owner}'")
            raise Forbidden("You are not authorized to complete add_image action.")
        if "visibility" in image:
            self._enforce_visibility(ctx, image["visibility"], target)
        for key in FACTORY_READ_ONLY:
            if key in image:
                raise Forbidden(f"Attribute '{key}' is read-only.")
        for key in FACTORY_RESERVED:
            if key in properties:
                raise Forbidden(f"Attribute '{key}' is reserved.")
        for key in ("min_disk", "min_ram"):
            value = image.get(key)
            if value and value < 0:
                raise BadRequest(f"Invalid value '{value}' for parameter '{key}': Cannot be a negative value")
        if len(properties) > PROPERTY_QUOTA:
            raise PayloadTooLarge(
                f"Maximum number of image properties exceeded. Attempted: "
                f"{len(properties)}, Maximum: {PROPERTY_QUOTA}"
            )
        unique_tags = list(dict.fromkeys(tags))
        if len(unique_tags) > TAG_QUOTA:
            raise PayloadTooLarge(
                f"Maximum number of tags exceeded. Attempted: {len(unique_tags)}, Maximum: {TAG_QUOTA}"
            )
        now = utcnow(self.cloud)
        image_id = image.get("id") or self.cloud.ids.uuid()
        row = {
            "id": image_id,
            "name": image.get("name"),
            "status": "queued",
            "visibility": image.get("visibility", "shared"),
            "disk_format": image.get("disk_format"),
            "container_format": image.get("container_format"),
            "size": None,
            "virtual_size": None,
            "checksum": None,
            "os_hash_algo": None,
            "os_hash_value": None,
            "min_disk": image.get("min_disk") or 0,
            "min_ram": image.get("min_ram") or 0,
            "protected": bool(image.get("protected", False)),
            "os_hidden": bool(image.get("os_hidden", False)),
            "owner": owner,
            "created_at": now,
            "updated_at": now,
            "properties": properties,
            "tags": unique_tags,
            "location": None,
        }
        with self.db.begin() as conn:
            if "id" in image and self._row(conn, image_id) is not None:
                raise Conflict(f"Image with identifier {image_id} already exists!")
            conn.execute(INSERT_IMAGE, row)
        return image_view(row)

    # update (JSON patch) ---------------------------------------------------------------------
    def update(self, ctx: RequestContext, image_id: str, changes: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply parsed JSON-patch ``changes`` (see ``api/images.py``) as glance's controller does."""
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            target = self._target(conn, ctx, row)
            work = {**row, "properties": dict(row["properties"]), "tags": list(row["tags"])}
            for change in changes:
                self._apply_change(ctx, work, target, change)
            if len(work["properties"]) > PROPERTY_QUOTA:
                raise PayloadTooLarge(
                    f"Maximum number of image properties exceeded. Attempted: "
                    f"{len(work['properties'])}, Maximum: {PROPERTY_QUOTA}"
                )
            if changes:
                work["updated_at"] = utcnow(self.cloud)
                values = {k: v for k, v in work.items() if k != "id"}
                self._update(conn, image_id, **values)
            return image_view(work)

    def _modify(self, ctx: RequestContext, target: Mapping[str, Any]) -> None:
        if not self.cloud.policy.check(ctx, "modify_image", target):
            raise Forbidden("You are not authorized to complete modify_image action.")

    def _apply_change(
        self, ctx: RequestContext, image: dict[str, Any], target: Mapping[str, Any], change: dict[str, Any]
    ) -> None:
        op, root = change["op"], change["path"][0]
        if root == "locations":
            raise Forbidden(
                "Image locations are not exposed by this cloud (show_multiple_locations is disabled)."
            )
        if op == "remove":
            self._modify(ctx, target)
            if root in IMAGE_ATTRIBUTES:
                raise Forbidden(f"Property {root} may not be removed.")
            if root not in image["properties"]:
                raise Conflict(f"Property {root} does not exist.")
            del image["properties"][root]
            return
        value = change["value"]
        if op == "replace" and root == "owner" and not ctx.is_admin:
            raise Forbidden("Owner can't be updated by non admin.")
        if root == "visibility":
            self._enforce_visibility(ctx, value, target)
        self._modify(ctx, target)
        if root in IMAGE_ATTRIBUTES:
            self._set_attribute(image, root, value)
        elif op == "add" or root in image["properties"]:
            if op == "add" and change.get("json_schema_version") == 4 and root in image["properties"]:
                raise Conflict(f"Property {root} already present.")
            image["properties"][root] = value
        else:
            raise Conflict(f"Property {root} does not exist.")

    @staticmethod
    def _set_attribute(image: dict[str, Any], name: str, value: Any) -> None:
        if name in ("disk_format", "container_format") and image["status"] not in ("queued", "importing"):
            raise Forbidden(f"Attribute {name} can be only replaced for a queued image.")
        if name in ("min_disk", "min_ram") and value and value < 0:
            raise BadRequest(f"Invalid value '{value}' for parameter '{name}': Cannot be a negative value")
        if name == "visibility" and value not in VISIBILITIES:
            raise BadRequest('Visibility must be one of "community", "public", "private", or "shared"')
        if name == "tags":
            tags = list(dict.fromkeys(value))
            if len(tags) > TAG_QUOTA:
                raise PayloadTooLarge(
                    f"Maximum number of tags exceeded. Attempted: {len(tags)}, Maximum: {TAG_QUOTA}"
                )
            image["tags"] = tags
            return
        if name == "member":
            raise Forbidden(f"Attribute '{name}' is read-only.")
        image[name] = value

    # actions ---------------------------------------------------------------------------------
    def deactivate(self, ctx: RequestContext, image_id: str) -> None:
        self._change_activation(ctx, image_id, "deactivate", "active", "deactivated")

    def reactivate(self, ctx: RequestContext, image_id: str) -> None:
        self._change_activation(ctx, image_id, "reactivate", "deactivated", "active")

    def _change_activation(
        self, ctx: RequestContext, image_id: str, rule: str, source: str, dest: str
    ) -> None:
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            self._enforce(conn, ctx, rule, row)
            if row["status"] == dest:
                return
            if row["status"] != source:
                raise Forbidden(f"Not allowed to {rule} image in status '{row['status']}'")
            conn.execute(
                update(m.images)
                .where(m.images.c.id == image_id)
                .values(status=dest, updated_at=utcnow(self.cloud))
            )
