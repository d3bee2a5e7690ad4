"""The file store: image bytes under one directory, written by streaming, never held whole.

A write goes to ``<id>.part`` while md5 and sha512 are computed, and is renamed into place only
when complete; a broken or refused write leaves nothing behind. Hashing and the disk write run
in worker threads (hashlib releases the GIL) while the event loop receives the next block.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BLOCK = 1024 * 1024  # bytes handed to the hashing threads at a time


class SizeLimitExceeded(Exception):
    """More bytes arrived than the caller allowed."""

    def __init__(self, received: int) -> None:
        super().__init__(f"received {received} bytes")
        self.received = received


@dataclass(frozen=True, slots=True)
class StoredData:
    size: int
    checksum: str  # md5 hex
    os_hash_algo: str
    os_hash_value: str


class _Writer:
    """Hashes and writes blocks; the md5 and the sha512 of a block run in parallel threads."""

    def __init__(self, path: Path, pool: ThreadPoolExecutor) -> None:
        self.file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha = hashlib.sha512()
        self.pool = pool
        self.size = 0

    def _md5_and_write(self, block: bytes) -> None:
        self.md5.update(block)
        self.file.write(block)

    def submit(self, block: bytes) -> list[asyncio.Future[Any]]:
        loop = asyncio.get_running_loop()
        self.size += len(block)
        return [
            loop.run_in_executor(self.pool, self._md5_and_write, block),
            loop.run_in_executor(self.pool, self.sha.update, block),
        ]

    def write_now(self, block: bytes) -> None:
        self.size += len(block)
        self._md5_and_write(block)
        self.sha.update(block)

    def close(self) -> StoredData:
        self.file.close()
        return StoredData(self.size, self.md5.hexdigest(), "sha512", self.sha.hexdigest())


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"
        self.staging.mkdir(parents=True, exist_ok=True)
        self._pool: ThreadPoolExecutor | None = None

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-store")
        return self._pool

    def path(self, image_id: str, *, staging: bool = False) -> Path:
        return (self.staging if staging else self.root) / image_id

    def exists(self, image_id: str, *, staging: bool = False) -> bool:
        return self.path(image_id, staging=staging).exists()

    async def write(
        self,
        image_id: str,
        chunks: AsyncIterable[bytes] | Iterable[bytes],
        *,
        limit: int,
        staging: bool = False,
    ) -> StoredData:
        """Store ``chunks`` as the image's data; raise ``SizeLimitExceeded`` past ``limit`` bytes."""
        final = self.path(image_id, staging=staging)
        part = final.with_name(final.name + ".part")
        writer = _Writer(part, self.pool)
        pending: list[asyncio.Future[Any]] = []
        buf: list[bytes] = []
        buffered = 0
        received = 0
        try:
            async for chunk in _aiter(chunks):
                received += len(chunk)
                if received > limit:
                    raise SizeLimitExceeded(received)
                buf.append(chunk)
                buffered += len(chunk)
                if buffered >= BLOCK:
                    for fut in pending:
                        await fut
                    pending = writer.submit(b"".join(buf))
                    buf.clear()
                    buffered = 0
            for fut in pending:
                await fut
            pending = []
            if buf:
                writer.write_now(b"".join(buf))
            stored = writer.close()
            os.replace(part, final)
            return stored
        except BaseException:
            for fut in pending:
                with contextlib.suppress(Exception):  # the original error is what matters
                    await fut
            writer.file.close()
            part.unlink(missing_ok=True)
            raise

    def put(self, image_id: str, data: bytes) -> StoredData:
        """Store ``data`` at once (small seeded images); same hashes as a streamed write."""
        final = self.path(image_id)
        part = final.with_name(final.name + ".part")
        part.write_bytes(data)
        os.replace(part, final)
        return StoredData(
            len(data),
            hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "sha512",
            hashlib.sha512(data).hexdigest(),
        )

    def promote(self, image_id: str) -> None:
        """Move staged data into the store (glance-direct import)."""
        os.replace(self.path(image_id, staging=True), self.path(image_id))

    def read(
        self, image_id: str, offset: int = 0, length: int | None = None, chunk_size: int = BLOCK
    ) -> Iterator[bytes]:
        with open(self.path(image_id), "rb") as f:
            if offset:
                f.seek(offset)
            remaining = length
            while remaining is None or remaining > 0:
                want = chunk_size if remaining is None else min(chunk_size, remaining)
                data = f.read(want)
                if not data:
                    return
                if remaining is not None:
                    remaining -= len(data)
                yield data

    async def aread(
        self, image_id: str, offset: int = 0, length: int | None = None, chunk_size: int = BLOCK
    ) -> AsyncIterator[bytes]:
        for data in self.read(image_id, offset, length, chunk_size):
            yield data

    def delete(self, image_id: str) -> None:
        for staging in (False, True):
            self.path(image_id, staging=staging).unlink(missing_ok=True)

    def close(self, *, remove: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


async def _aiter(chunks: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    if hasattr(chunks, "__aiter__"):
        async for chunk in chunks:  # type: ignore[union-attr]
            if chunk:
                yield chunk
    else:
        for chunk in chunks:  # type: ignore[union-attr]
            if chunk:
                yield chunk
