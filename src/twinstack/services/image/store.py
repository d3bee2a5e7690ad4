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
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import Any

BLOCK = 1024 * 1024  # bytes read from the store at a time, and handed to the hashing threads
PIECE = 64 * 1024  # received chunks smaller than this are joined
INLINE = 32 * 1024  # an upload this small is hashed and written on the event loop
# Bytes of an upload queued for the threads (counted once per thread) above which the receive
# waits, and below which it goes on.
HIGH_WATER = 4 * 1024 * 1024
LOW_WATER = 2 * 1024 * 1024


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


class _Upload:
    """One write under way: its file, its two hashes, its blocks in flight and how it ends.

    Its blocks go through two long-lived threads in order: one computes md5 and writes the
    file, the other computes sha512 (hashlib and the write release the GIL, so both run beside
    the event loop). A block is handed over with ``SimpleQueue.put``, without a future; the
    event loop is woken only when the upload has too much in flight (``waiter``) and at its end
    (``done``: the second thread to reach the end closes the file).
    """

    __slots__ = ("fd", "md5", "sha", "error", "loop", "ended", "inflight", "waiter", "done", "_left", "_lock")

    def __init__(self, path: str, loop: asyncio.AbstractEventLoop) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha = hashlib.sha512()
        self.error: BaseException | None = None  # a failed write, or the upload was abandoned
        self.loop = loop
        self.ended = False
        self.inflight = 0  # bytes queued and not yet taken by both threads (counted per thread)
        self.waiter: asyncio.Future[None] | None = None  # the receive waits for the threads
        self.done: asyncio.Future[None] | None = None  # the end is awaited
        self._left = 2  # threads that have not reached the end
        self._lock = threading.Lock()

    def md5_and_write(self, block: list[bytes]) -> None:
        if self.error is not None:
            return
        try:
            for piece in block:
                self.md5.update(piece)
            total = sum(map(len, block))
            written = os.writev(self.fd, block)
            if written < total:  # a short write: the rest one piece at a time
                view = memoryview(b"".join(block))[written:]
                while view:
                    view = view[os.write(self.fd, view) :]
        except BaseException as exc:  # reported by result()
            self.error = exc

    def sha512(self, block: list[bytes]) -> None:
        if self.error is None:
            for piece in block:
                self.sha.update(piece)

    def queued(self, size: int) -> None:
        with self._lock:
            self.inflight += 2 * size

    def taken(self, size: int) -> None:
        """A thread is done with a block of ``size`` bytes."""
        with self._lock:
            self.inflight -= size
            waiter = self.waiter
            if waiter is None or self.inflight > LOW_WATER:
                return
            self.waiter = None
        self._wake(waiter)

    def throttle(self) -> asyncio.Future[None] | None:
        """A future to await when too much is in flight, else None."""
        with self._lock:
            if self.inflight <= LOW_WATER:
                return None
            self.waiter = self.loop.create_future()
            return self.waiter

    def reached_end(self) -> None:
        """Called by each thread once it has taken every block of this upload."""
        with self._lock:
            self._left -= 1
            if self._left:
                return
        self.close()
        if self.done is not None:
            self._wake(self.done)

    def _wake(self, fut: asyncio.Future[None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            self.loop.call_soon_threadsafe(_resolve, fut)

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError as exc:
                self.error = self.error or exc

    def result(self, size: int) -> StoredData:
        if self.error is not None:
            raise self.error
        return StoredData(size, self.md5.hexdigest(), "sha512", self.sha.hexdigest())


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


_END: Any = object()  # in place of a block: the upload has no more


def _work(queue: SimpleQueue[Any], method: Callable[[_Upload, list[bytes]], None]) -> None:
    """A hashing thread: ``(upload, block)`` in order, ``(upload, _END)`` ends an upload."""
    get = queue.get
    while (item := get()) is not None:
        upload, block = item
        if block is _END:
            upload.reached_end()
        else:
            method(upload, block)
            upload.taken(sum(map(len, block)))


class _Hashers:
    """The two threads all uploads to a store share (started at the first big upload)."""

    def __init__(self) -> None:
        self.md5_queue: SimpleQueue[Any] = SimpleQueue()
        self.sha_queue: SimpleQueue[Any] = SimpleQueue()
        for queue, method, name in (
            (self.md5_queue, _Upload.md5_and_write, "image-store-md5"),
            (self.sha_queue, _Upload.sha512, "image-store-sha512"),
        ):
            threading.Thread(target=_work, args=(queue, method), name=name, daemon=True).start()

    async def put(self, upload: _Upload, block: list[bytes]) -> None:
        """Queue ``block``; wait first while the upload has more than HIGH_WATER in flight."""
        if upload.inflight > HIGH_WATER and (waiter := upload.throttle()) is not None:
            await waiter
        upload.queued(sum(map(len, block)))
        item = (upload, block)
        self.md5_queue.put(item)
        self.sha_queue.put(item)

    def end(self, upload: _Upload) -> None:
        """No more blocks for ``upload``; the threads close its file once past its last block."""
        if not upload.ended:
            upload.ended = True
            item = (upload, _END)
            self.md5_queue.put(item)
            self.sha_queue.put(item)

    async def finish(self, upload: _Upload) -> None:
        """End ``upload`` and wait until both threads are past all its blocks."""
        upload.done = upload.loop.create_future()
        self.end(upload)
        await upload.done

    def stop(self) -> None:
        self.md5_queue.put(None)
        self.sha_queue.put(None)


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"
        self.staging.mkdir(parents=True, exist_ok=True)
        self._root_dir, self._staging_dir = str(root), str(self.staging)
        self._hashers: _Hashers | None = None

    @property
    def hashers(self) -> _Hashers:
        if self._hashers is None:
            self._hashers = _Hashers()
        return self._hashers

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
        final = os.path.join(self._staging_dir if staging else self._root_dir, image_id)
        part = final + ".part"
        upload = _Upload(part, asyncio.get_running_loop())
        hashers: _Hashers | None = None  # set once a block went to the threads
        block: list[bytes] = []  # pieces for the threads: received chunks, small ones joined
        in_block = 0
        small: list[bytes] = []  # received chunks smaller than PIECE, not yet in the block
        in_small = 0
        received = 0
        try:
            iterator: Any = chunks if hasattr(chunks, "__aiter__") else _aiter(chunks)  # type: ignore[arg-type]
            async for chunk in iterator:
                size = len(chunk)
                received += size
                if received > limit:
                    raise SizeLimitExceeded(received)
                if size < PIECE:
                    small.append(chunk)
                    in_small += size
                    if in_small < PIECE:
                        continue
                    chunk = b""
                if small:  # the small chunks before this one, joined, keep their place
                    block.append(b"".join(small))
                    in_block += in_small
                    small.clear()
                    in_small = 0
                if chunk:
                    block.append(chunk)
                    in_block += size
                if in_block >= BLOCK:
                    if hashers is None:  # the first block goes as received
                        hashers = self.hashers
                    else:  # a long stream: the threads are the busier side, one buffer is one GIL hand-off
                        block = [b"".join(block)]
                    await hashers.put(upload, block)
                    block = []
                    in_block = 0
            if small:
                block.append(b"".join(small))
                in_block += in_small
            if hashers is None and in_block <= INLINE:
                upload.md5_and_write(block)
                upload.sha512(block)
                upload.close()
            else:
                hashers = hashers or self.hashers
                if block:
                    await hashers.put(upload, block)
                await hashers.finish(upload)
            stored = upload.result(received)
            os.replace(part, final)
            return stored
        except BaseException:
            if upload.error is None:
                upload.error = SizeLimitExceeded(received)  # the threads skip what is left
            upload.waiter = None
            if hashers is None:
                upload.close()
            else:
                hashers.end(upload)  # closes the file once the threads are past its blocks
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
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

    def delete(self, image_id: str, *, staged: bool = True) -> None:
        """Remove the image's data (and its staged data unless ``staged`` says it has none)."""
        for directory in (self._root_dir, self._staging_dir) if staged else (self._root_dir,):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, image_id))

    def close(self, *, remove: bool = False) -> None:
        if self._hashers is not None:
            self._hashers.stop()
            self._hashers = None
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


async def _aiter(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
