"""Streamed uploads through the file store's hashing threads: hashes, sizes and every way out."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from twinstack.core.context import RequestContext
from twinstack.core.errors import PayloadTooLarge
from twinstack.services.image.data import Gone
from twinstack.testing import CloudHandle


@pytest.fixture
def images(twinstack_cloud: CloudHandle) -> Any:
    return twinstack_cloud.cloud.service("image")


@pytest.fixture
def ctx(name: str) -> RequestContext:
    ctx = RequestContext.admin_context()
    ctx.project_id = "p-" + name
    return ctx


def _left_behind(images: Any, image_id: str) -> list[Any]:
    return [*images.store.root.glob(f"{image_id}*"), *images.store.staging.glob(f"{image_id}*")]


def _blocks() -> list[bytes]:
    """Small, odd and large blocks: some are joined before hashing, some go as they are."""
    sizes = [1, 100, 70_000, 3, 256_000, 5_000, 40_000, 30_000, 1_048_576, 17]
    return [os.urandom(size) for size in sizes]


async def _slowly(blocks: list[bytes]) -> AsyncIterator[bytes]:
    for block in blocks:
        await asyncio.sleep(0)
        yield block


def test_mixed_blocks_hash_and_size_as_one_stream(images: Any, ctx: RequestContext, name: str) -> None:
    blocks = _blocks()
    data = b"".join(blocks)
    raw = images.create_image(ctx, name=name, disk_format="raw")
    qcow = images.create_image(ctx, name=name, disk_format="qcow2")
    raw_view = asyncio.run(images.upload_image_data(ctx, raw["id"], _slowly(blocks)))
    qcow_view = asyncio.run(images.upload_image_data(ctx, qcow["id"], iter(blocks)))
    for view in (raw_view, qcow_view):
        assert view["status"] == "active" and view["size"] == len(data)
        assert view["checksum"] == hashlib.md5(data).hexdigest()
        assert view["os_hash_algo"] == "sha512" and view["os_hash_value"] == hashlib.sha512(data).hexdigest()
        assert b"".join(images.open_image_data(ctx, view["id"])) == data
        assert images.get_image(ctx, view["id"]) == view
    assert raw_view["virtual_size"] == len(data) and qcow_view["virtual_size"] is None
    for view in (raw_view, qcow_view):
        images.delete_image(ctx, view["id"])
        assert not _left_behind(images, view["id"])


def test_concurrent_uploads_keep_their_own_hashes(images: Any, ctx: RequestContext, name: str) -> None:
    payloads = [[os.urandom(200_000 + i) for _ in range(3 + i)] for i in range(4)]
    created = [images.create_image(ctx, name=name) for _ in payloads]

    async def upload_all() -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(
                *(
                    images.upload_image_data(ctx, img["id"], _slowly(blocks))
                    for img, blocks in zip(created, payloads, strict=True)
                )
            )
        )

    for view, blocks in zip(asyncio.run(upload_all()), payloads, strict=True):
        data = b"".join(blocks)
        assert view["size"] == len(data) and view["checksum"] == hashlib.md5(data).hexdigest()
        assert view["os_hash_value"] == hashlib.sha512(data).hexdigest()
        images.delete_image(ctx, view["id"])


def test_a_broken_stream_puts_the_image_back_to_queued(images: Any, ctx: RequestContext, name: str) -> None:
    img = images.create_image(ctx, name=name)

    async def broken() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield os.urandom(300_000)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(images.upload_image_data(ctx, img["id"], broken()))
    shown = images.get_image(ctx, img["id"])
    assert shown["status"] == "queued" and shown["size"] is None and shown["checksum"] is None
    assert not _left_behind(images, img["id"])
    data = os.urandom(500_000)
    view = asyncio.run(images.upload_image_data(ctx, img["id"], iter([data])))
    assert view["checksum"] == hashlib.md5(data).hexdigest()
    images.delete_image(ctx, img["id"])


def test_the_size_cap_stops_a_stream_under_way(images: Any, ctx: RequestContext, name: str) -> None:
    img = images.create_image(ctx, name=name)
    old = images.settings.image_size_cap
    images.settings.image_size_cap = 1_000_000
    try:
        blocks = [os.urandom(300_000) for _ in range(4)]
        with pytest.raises(PayloadTooLarge):
            asyncio.run(images.upload_image_data(ctx, img["id"], iter(blocks)))
    finally:
        images.settings.image_size_cap = old
    assert images.get_image(ctx, img["id"])["status"] == "queued"
    assert not _left_behind(images, img["id"])
    images.delete_image(ctx, img["id"])


def test_an_image_deleted_during_its_upload_is_gone_with_its_data(
    images: Any, ctx: RequestContext, name: str
) -> None:
    img = images.create_image(ctx, name=name)

    def deleting() -> Iterator[bytes]:
        yield os.urandom(400_000)
        assert images.get_image(ctx, img["id"])["status"] == "saving"
        images.delete_image(ctx, img["id"])
        yield os.urandom(400_000)

    with pytest.raises(Gone) as err:
        asyncio.run(images.upload_image_data(ctx, img["id"], deleting()))
    assert err.value.status == 410
    assert not _left_behind(images, img["id"])


def test_a_refused_upload_changes_nothing(images: Any, ctx: RequestContext, name: str) -> None:
    from twinstack.core.errors import BadRequest, NotFound

    other = RequestContext(
        request_id="r", user_id="u", project_id="other-" + name, roles=["member", "reader"]
    )
    img = images.create_image(ctx, name=name, disk_format=None)
    before = images.get_image(ctx, img["id"])
    for who, error in ((other, NotFound), (ctx, BadRequest)):
        with pytest.raises(error):
            asyncio.run(images.upload_image_data(who, img["id"], iter([b"x"]), from_api=True))
        assert images.get_image(ctx, img["id"]) == before  # status and updated_at as they were
    assert not _left_behind(images, img["id"])
    images.delete_image(ctx, img["id"])


def test_deleting_an_image_deletes_its_members(images: Any, ctx: RequestContext, name: str) -> None:
    from sqlalchemy import func, select

    from twinstack.services.image import models as m

    img = images.create_image(ctx, name=name, visibility="shared")
    images.add_member(ctx, img["id"], "member-" + name)
    images.delete_image(ctx, img["id"])
    with images.db.begin() as conn:
        count = conn.execute(select(func.count()).where(m.members.c.image_id == img["id"])).scalar_one()
    assert count == 0


def test_deleting_a_staged_image_removes_its_staged_data(images: Any, ctx: RequestContext, name: str) -> None:
    img = images.create_image(ctx, name=name)
    asyncio.run(images.stage(ctx, img["id"], iter([os.urandom(2_000_000)])))
    assert images.get_image(ctx, img["id"])["status"] == "uploading"
    assert images.store.exists(img["id"], staging=True)
    images.delete_image(ctx, img["id"])
    assert not _left_behind(images, img["id"])
