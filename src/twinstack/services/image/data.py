"""Image data: upload (``PUT .../file``), download, stage and import, as glance does them.

Upload: one transaction moves the image queued -> saving, the bytes stream to the file store
(no transaction open while awaiting), a second transaction records size and hashes and moves
saving -> active. A refused or broken upload removes the partial file and puts the image back
to ``queued`` so the upload can be retried (glance v2's ``_restore``); an image deleted during
its upload answers 410 and its data is removed.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case, func, insert, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from twinstack.services.image import models as m
from twinstack.services.image.store import SizeLimitExceeded, StoredData
from twinstack.services.image.views import image_view, task_view

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from twinstack.services.image.service import ImageService

Chunks = AsyncIterable[bytes] | Iterable[bytes]

_images = m.images.c
# queued -> saving (an API upload), returning the image for the checks that follow.
START_SAVING = (
    update(m.images)
    .where(_images.id == bindparam("_id"), _images.status == "queued")
    .values(status="saving", updated_at=bindparam("_now"))
    .returning(*m.images.c)
)
# saving (or importing) -> active with the data's size and hashes, in one statement; raw and iso
# images get their virtual size from the data, others keep theirs (glance's _finish).
FINISH_UPLOAD = (
    update(m.images)
    .where(_images.id == bindparam("_id"), _images.status == bindparam("_from"))
    .values(
        status="active",
        size=bindparam("_size"),
        virtual_size=case(
            (_images.disk_format.in_(("raw", "iso")), bindparam("_size")), else_=_images.virtual_size
        ),
        checksum=bindparam("_checksum"),
        os_hash_algo=bindparam("_algo"),
        os_hash_value=bindparam("_hash"),
        location="file",
        updated_at=bindparam("_now"),
    )
    .returning(*m.images.c)
)


class Gone(ApiError):
    status = 410
    kind = "Gone"


class NoContent(ApiError):
    """Glance answers a download of an image without data with an empty 204."""

    status = 204
    kind = "NoContent"


class ImageDataMixin:
    _staged: dict[str, StoredData]

    # limits ----------------------------------------------------------------------------------
    def _used_bytes(self: ImageService, conn: Connection, owner: str | None, exclude: str) -> int:
        total = conn.execute(
            select(func.coalesce(func.sum(m.images.c.size), 0)).where(
                m.images.c.owner == owner, m.images.c.id != exclude
            )
        ).scalar_one()
        return int(total)

    def _limits(
        self: ImageService, conn: Connection, row: dict[str, Any], size: int | None
    ) -> tuple[int, int | None]:
        """(bytes allowed, bytes left under the storage quota or None); 413 if ``size`` is already too big."""
        cap = self.settings.image_size_cap
        remaining: int | None = None
        if self.settings.user_storage_quota > 0:
            remaining = max(
                0, self.settings.user_storage_quota - self._used_bytes(conn, row["owner"], row["id"])
            )
        if size is not None:
            if size > cap:
                raise PayloadTooLarge("The incoming image is too large: The provided image is too large.")
            if remaining is not None and size > remaining:
                raise PayloadTooLarge(self._quota_message(size, remaining))
        return (cap if remaining is None else min(cap, remaining)), remaining

    @staticmethod
    def _quota_message(size: int, remaining: int) -> str:
        return (
            f"Image exceeds the storage quota: The size of the data {size} will exceed the limit. "
            f"{remaining} bytes remaining."
        )

    def _limit_error(self: ImageService, received: int, remaining: int | None) -> PayloadTooLarge:
        if remaining is not None and received > remaining and remaining < self.settings.image_size_cap:
            return PayloadTooLarge(self._quota_message(received, remaining))
        return PayloadTooLarge("The incoming image is too large: The provided image is too large.")

    # upload ----------------------------------------------------------------------------------
    async def upload_image_data(
        self: ImageService,
        ctx: RequestContext,
        image_id: str,
        chunks: Chunks,
        size: int | None = None,
        *,
        from_api: bool = False,
    ) -> dict[str, Any]:
        """Stream ``chunks`` in as the image's data (queued -> saving -> active); the image view.

        Other services may also upload into an image they set to ``saving`` themselves
        (``set_image_status``); the API (``from_api``) takes ``queued`` images only, as glance.
        """
        with self.db.begin() as conn:
            limit, remaining = self._start_saving(conn, ctx, image_id, size, from_api=from_api)
        try:
            stored = await self.store.write(image_id, chunks, limit=limit)
        except SizeLimitExceeded as exc:
            self._restore(image_id, "saving")
            raise self._limit_error(exc.received, remaining) from None
        except BaseException:
            self._restore(image_id, "saving")
            raise
        return self._finish(image_id, stored, from_status="saving")

    def _start_saving(
        self: ImageService,
        conn: Connection,
        ctx: RequestContext,
        image_id: str,
        size: int | None,
        *,
        from_api: bool,
    ) -> tuple[int, int | None]:
        """queued -> saving after glance's checks; (bytes allowed, bytes left under the quota).

        An API upload first tries the move itself (one statement); any refusal below raises,
        and the transaction, rolled back, leaves the image as it was.
        """
        moved = (
            conn.execute(START_SAVING, {"_id": image_id, "_now": self._now()}).first() if from_api else None
        )
        if moved is not None:
            row: dict[str, Any] | None = {**moved._mapping, "status": "queued"}  # as it was
        else:
            row = self._row(conn, image_id)
        row = self._check_visible(conn, ctx, image_id, row)
        if not self.cloud.policy.check(ctx, "upload_image", self._target(conn, ctx, row)):
            raise Forbidden(f"Not allowed to upload image data for image {image_id}")
        if row["status"] == "saving" and not from_api:
            row["status"] = "queued"
        if row["status"] != "queued":
            raise Conflict(f"Image status transition from {row['status']} to saving is not allowed")
        self._require_formats(row)
        limits = self._limits(conn, row, size)
        if moved is None:
            self._update(conn, image_id, status="saving", updated_at=self._now())
        return limits

    @staticmethod
    def _require_formats(row: dict[str, Any]) -> None:
        missing = [k for k in ("disk_format", "container_format") if not row[k]]
        if missing:
            noun = "Property" if len(missing) == 1 else "Properties"
            raise BadRequest(f"{noun} {', '.join(missing)} must be set prior to saving data.")

    def _restore(self: ImageService, image_id: str, from_status: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(m.images)
                .where(m.images.c.id == image_id, m.images.c.status == from_status)
                .values(status="queued", size=None, virtual_size=None, updated_at=self._now())
            )

    def _finish(self: ImageService, image_id: str, stored: StoredData, *, from_status: str) -> dict[str, Any]:
        """Record the stored data and make the image active, if it is still ``from_status``."""
        with self.db.begin() as conn:
            params = {
                "_id": image_id,
                "_from": from_status,
                "_size": stored.size,
                "_checksum": stored.checksum,
                "_algo": stored.os_hash_algo,
                "_hash": stored.os_hash_value,
                "_now": self._now(),
            }
            row = conn.execute(FINISH_UPLOAD, params).mappings().first()
            if row is not None:
                return image_view(row)
            current = self._row(conn, image_id)
            if current is None:
                self.store.delete(image_id)
                raise Gone(
                    f"Image {image_id} could not be found after upload. The image may have been "
                    "deleted during the upload, cleaning up the chunks uploaded."
                )
            raise Conflict(f"Image status transition from {current['status']} to active is not allowed")

    # download --------------------------------------------------------------------------------
    def prepare_download(self: ImageService, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        """The image row whose data the caller may read; 403/404/204 as glance answers."""
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            if row["status"] == "deactivated" and not ctx.is_admin:
                raise Forbidden("The requested image has been deactivated. Image data download is forbidden.")
            if not self.cloud.policy.check(ctx, "download_image", self._target(conn, ctx, row)):
                raise Forbidden("You are not authorized to complete download_image action.")
        if row["location"] != "file" or not self.store.exists(image_id):
            raise NoContent("No image data could be found")
        return row

    def open_image_data(self: ImageService, ctx: RequestContext, image_id: str) -> Iterator[bytes]:
        """Chunks of an image's bytes (for nova and cinder); NotFound when it has none."""
        try:
            row = self.prepare_download(ctx, image_id)
        except NoContent:
            raise NotFound(f"Image {image_id} has no data.") from None
        return self.store.read(row["id"], chunk_size=self.settings.read_chunk_size)

    # stage and import ------------------------------------------------------------------------
    async def stage(
        self: ImageService, ctx: RequestContext, image_id: str, chunks: Chunks, size: int | None = None
    ) -> None:
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            if not self.cloud.policy.check(ctx, "modify_image", self._target(conn, ctx, row)):
                raise Forbidden("You are not authorized to complete modify_image action.")
            if row["status"] != "queued":
                raise Conflict(f"Image status transition from {row['status']} to uploading is not allowed")
            limit, remaining = self._limits(conn, row, size)
            self._update(conn, image_id, status="uploading", updated_at=self._now())
        try:
            stored = await self.store.write(image_id, chunks, limit=limit, staging=True)
        except SizeLimitExceeded as exc:
            self._restore(image_id, "uploading")
            raise self._limit_error(exc.received, remaining) from None
        except BaseException:
            self._restore(image_id, "uploading")
            raise
        self._staged[image_id] = stored
        with self.db.begin() as conn:
            self._update(conn, image_id, size=stored.size, updated_at=self._now())

    def import_image(self: ImageService, ctx: RequestContext, image_id: str, body: Any) -> None:
        """``POST .../import``: glance-direct moves staged data into the store (synchronously)."""
        method = self._import_method(body)
        with self.db.begin() as conn:
            row = self._get_visible(conn, ctx, image_id)
            if not self.cloud.policy.check(ctx, "modify_image", self._target(conn, ctx, row)):
                raise Forbidden("You are not authorized to complete modify_image action.")
            if row["status"] != "uploading":
                raise Conflict("Image needs to be staged before 'glance-direct' method can be used")
            task_id = self._new_task(conn, ctx, image_id, body, method)
            self._update(conn, image_id, status="importing", updated_at=self._now())
        stored = self._staged.pop(image_id, None)
        try:
            if stored is None:  # staged before a restart: hash what is there
                stored = _hash_file(_read_path(self.store.path(image_id, staging=True)))
            self.store.promote(image_id)
        except FileNotFoundError:
            self._end_task(task_id, "failure", "Staged image data could not be found.")
            self._restore(image_id, "importing")
            return
        self._finish(image_id, stored, from_status="importing")
        self._end_task(task_id, "success", "")

    def _import_method(self: ImageService, body: Any) -> str:
        if not isinstance(body, dict):
            raise BadRequest("Body expected in request.")
        method = body.get("method")
        if not isinstance(method, dict) or "name" not in method:
            if "method" not in body:
                raise BadRequest("Import request requires a 'method' field.")
            raise BadRequest("Import request requires a 'name' field.")
        name = method["name"]
        if name == "web-download":
            raise BadRequest(
                "Import method 'web-download' is not available at this site: twinstack has no "
                "internet access. Stage the data (PUT .../stage) and use 'glance-direct'."
            )
        if name not in self.settings.enabled_import_methods:
            raise BadRequest(f"Unknown import method name '{name}'.")
        for key in ("all_stores_must_succeed", "all_stores"):
            if key in body and not isinstance(body[key], bool):
                raise BadRequest(f"'{key}' must be boolean value only")
        return str(name)

    def _new_task(
        self: ImageService, conn: Connection, ctx: RequestContext, image_id: str, body: Any, method: str
    ) -> str:
        now = self._now()
        task_id = self.cloud.ids.uuid()
        conn.execute(
            insert(m.tasks).values(
                id=task_id,
                image_id=image_id,
                type="api_image_import",
                status="processing",
                owner=ctx.project_id,
                user_id=ctx.user_id,
                request_id=ctx.request_id,
                input={"image_id": image_id, "import_req": body, "backend": ["file"]},
                result=None,
                message="",
                created_at=now,
                updated_at=now,
                expires_at=None,
            )
        )
        return task_id

    def _end_task(self: ImageService, task_id: str, status: str, message: str) -> None:
        now = self._now()
        with self.db.begin() as conn:
            conn.execute(
                update(m.tasks)
                .where(m.tasks.c.id == task_id)
                .values(
                    status=status,
                    message=message,
                    updated_at=now,
                    expires_at=now + timedelta(hours=48),
                    result={"image_id": None} if status == "failure" else None,
                )
            )

    def image_tasks(self: ImageService, ctx: RequestContext, image_id: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            try:
                self._get_visible(conn, ctx, image_id)
            except NotFound:
                raise NotFound("The resource could not be found.") from None
            rows = (
                conn.execute(
                    select(m.tasks).where(m.tasks.c.image_id == image_id).order_by(m.tasks.c.created_at)
                )
                .mappings()
                .all()
            )
        return [task_view(r) for r in rows]

    def get_task(self: ImageService, ctx: RequestContext, task_id: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            row = conn.execute(select(m.tasks).where(m.tasks.c.id == task_id)).mappings().first()
        if row is None or not (ctx.is_admin or row["owner"] == ctx.project_id):
            raise NotFound(f"Could not find task {task_id}")
        return task_view(row)

    def list_tasks(self: ImageService, ctx: RequestContext) -> list[dict[str, Any]]:
        query = select(m.tasks).order_by(m.tasks.c.created_at.desc())
        if not ctx.is_admin:
            query = query.where(m.tasks.c.owner == ctx.project_id)
        with self.db.begin() as conn:
            return [task_view(r) for r in conn.execute(query).mappings()]


def _read_path(path: Any) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            yield block


def _hash_file(blocks: Iterator[bytes]) -> StoredData:
    import hashlib

    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha512()
    size = 0
    for block in blocks:
        size += len(block)
        md5.update(block)
        sha.update(block)
    return StoredData(size, md5.hexdigest(), "sha512", sha.hexdigest())
