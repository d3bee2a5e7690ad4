"""The fake driver: a backend that tracks space like LVM and optionally keeps real bytes.

Space: every volume and snapshot is counted at its full size (``provisioned_capacity_gb``);
``free_capacity_gb`` is what is left of the total. The scheduler applies thin provisioning and
the over-subscription ratio on top of these numbers, as cinder's CapacityFilter does.

Bytes: with ``volume_files`` each volume is a sparse file ``volume-<id>`` under
``<data dir>/volumes/<host@backend>/`` (image-to-volume writes the image at its start,
volume-to-image reads back the data written, found with SEEK_DATA/SEEK_HOLE). Without files,
the bytes written to a volume are kept in memory (the cloud is ephemeral then).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from twinstack.services.block_storage.config import BackendConfig
from twinstack.services.block_storage.drivers.base import DriverError, VolumeDriver

GiB = 1024**3
CHUNK = 1024 * 1024
VERSION = "3.0.0"


class _MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def create(self, name: str, size_gb: int) -> None:
        self._data.setdefault(name, b"")

    def delete(self, name: str) -> None:
        self._data.pop(name, None)

    def copy(self, src: str, dst: str) -> None:
        self._data[dst] = self._data.get(src, b"")

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        self._data[name] = b"".join(chunks)

    def read(self, name: str) -> Iterator[bytes]:
        data = self._data.get(name, b"")
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]

    def resize(self, name: str, size_gb: int) -> None:
        pass

    def location(self, name: str) -> str | None:
        return None


class _FileStore:
    """Sparse files: a 1 TiB volume costs nothing until written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def do_setup(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        return self.root / name

    def create(self, name: str, size_gb: int) -> None:
        with open(self._path(name), "ab") as f:
            f.truncate(size_gb * GiB)

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def copy(self, src: str, dst: str) -> None:
        source = self._path(src)
        if not source.exists():
            return
        size = source.stat().st_size
        end = _data_end(source)
        with open(source, "rb") as fin, open(self._path(dst), "wb") as fout:
            shutil.copyfileobj(_limited(fin, end), fout)
            fout.truncate(max(size, fout.tell()))

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        with open(self._path(name), "r+b") as f:
            for chunk in chunks:
                f.write(chunk)

    def read(self, name: str) -> Iterator[bytes]:
        path = self._path(name)
        if not path.exists():
            return
        end = _data_end(path)
        with open(path, "rb") as f:
            yield from iter(lambda: f.read(min(CHUNK, end - f.tell())) if f.tell() < end else b"", b"")

    def resize(self, name: str, size_gb: int) -> None:
        path = self._path(name)
        if path.exists():
            with open(path, "r+b") as f:
                f.truncate(size_gb * GiB)

    def location(self, name: str) -> str | None:
        return str(self._path(name))


class _Limited:
    def __init__(self, f: Any, limit: int) -> None:
        self.f, self.left = f, limit

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n < 0 else min(n, self.left)
        data: bytes = self.f.read(n)
        self.left -= len(data)
        return data


def _limited(f: Any, limit: int) -> _Limited:
    return _Limited(f, limit)


def _data_end(path: Path) -> int:
    """Where the last written data of a sparse file ends (its size if holes are not known)."""
    size = path.stat().st_size
    if not hasattr(os, "SEEK_DATA"):
        return size
    end = 0
    with open(path, "rb") as f:
        fd = f.fileno()
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:  # ENXIO: no data after pos
                break
            pos = os.lseek(fd, start, os.SEEK_HOLE)
            end = pos
    return end


class FakeDriver(VolumeDriver):
    """An LVM-like backend with one pool, in memory or sparse files."""

    def __init__(
        self,
        backend: BackendConfig,
        *,
        files_root: Path | None,
        rng: random.Random,
        create_failure_probability: float = 0.0,
        delete_failure_probability: float = 0.0,
    ) -> None:
        self.backend = backend
        self.rng = rng
        self.create_failure_probability = create_failure_probability
        self.delete_failure_probability = delete_failure_probability
        self.store: _MemoryStore | _FileStore = _FileStore(files_root) if files_root else _MemoryStore()
        self.volumes: dict[str, int] = {}  # id -> GiB
        self.snapshots: dict[str, int] = {}
        self.exports: dict[str, set[str]] = {}  # volume id -> connector hosts

    # setup and accounting
    def do_setup(self) -> None:
        if isinstance(self.store, _FileStore):
            self.store.do_setup()

    def ensure_export(self, volume: dict[str, Any]) -> None:
        self.volumes[volume["id"]] = int(volume["size"])

    def ensure_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshots[snapshot["id"]] = int(snapshot["size"])

    @property
    def allocated_gb(self) -> int:
        return sum(self.volumes.values()) + sum(self.snapshots.values())

    def get_volume_stats(self) -> dict[str, Any]:
        b = self.backend
        allocated = self.allocated_gb
        pool = {
            "pool_name": b.name,
            "total_capacity_gb": b.total_capacity_gb,
            "free_capacity_gb": max(b.total_capacity_gb - allocated, 0),
            "allocated_capacity_gb": sum(self.volumes.values()),
            "provisioned_capacity_gb": allocated,
            "reserved_percentage": b.reserved_percentage,
            "max_over_subscription_ratio": b.max_over_subscription_ratio,
            "thin_provisioning_support": b.thin_provisioning,
            "thick_provisioning_support": not b.thin_provisioning,
            "multiattach": b.multiattach,
            "QoS_support": False,
            "online_extend_support": True,
            "total_volumes": len(self.volumes),
            "location_info": f"FakeDriver:{b.backend_id}:{b.name}",
            "backend_state": "up",
        }
        return {
            "volume_backend_name": b.name,
            "vendor_name": b.vendor_name,
            "driver_version": VERSION,
            "storage_protocol": b.storage_protocol,
            "sparse_copy_volume": True,
            "pools": [pool],
        }

    def _check_space(self, size: int) -> None:
        b = self.backend
        limit = b.total_capacity_gb * (b.max_over_subscription_ratio if b.thin_provisioning else 1)
        if self.allocated_gb + size > limit:
            raise DriverError(f"Insufficient free space on {b.backend_id} for a {size}G volume")

    def _model_update(self, volume_id: str) -> dict[str, Any]:
        where = self.store.location(_vol(volume_id)) or f"fake://{self.backend.backend_id}/volume-{volume_id}"
        return {"provider_location": where}

    # volumes
    def create_volume(self, volume: dict[str, Any]) -> dict[str, Any] | None:
        size = int(volume["size"])
        if self.create_failure_probability and self.rng.random() < self.create_failure_probability:
            raise DriverError("Injected failure creating volume (create_failure_probability)")
        self._check_space(size)
        self.store.create(_vol(volume["id"]), size)
        self.volumes[volume["id"]] = size
        return self._model_update(volume["id"])

    def create_volume_from_snapshot(
        self, volume: dict[str, Any], snapshot: dict[str, Any]
    ) -> dict[str, Any] | None:
        if snapshot["id"] not in self.snapshots:
            raise DriverError(f"Snapshot {snapshot['id']} is not on {self.backend.backend_id}")
        update = self.create_volume(volume)
        self.store.copy(_snap(snapshot["id"]), _vol(volume["id"]))
        self.store.resize(_vol(volume["id"]), int(volume["size"]))
        return update

    def create_cloned_volume(self, volume: dict[str, Any], src_vref: dict[str, Any]) -> dict[str, Any] | None:
        if src_vref["id"] not in self.volumes:
            raise DriverError(f"Volume {src_vref['id']} is not on {self.backend.backend_id}")
        update = self.create_volume(volume)
        self.store.copy(_vol(src_vref["id"]), _vol(volume["id"]))
        self.store.resize(_vol(volume["id"]), int(volume["size"]))
        return update

    def copy_image_to_volume(self, volume: dict[str, Any], chunks: Iterable[bytes]) -> None:
        limit = int(volume["size"]) * GiB
        written = 0

        def bounded() -> Iterator[bytes]:
            nonlocal written
            for chunk in chunks:
                written += len(chunk)
                if written > limit:
                    raise DriverError("Image is larger than the volume")
                yield chunk

        self.store.write(_vol(volume["id"]), bounded())

    def copy_volume_to_image(self, volume: dict[str, Any]) -> Iterator[bytes]:
        return self.store.read(_vol(volume["id"]))

    def delete_volume(self, volume: dict[str, Any]) -> None:
        if self.delete_failure_probability and self.rng.random() < self.delete_failure_probability:
            raise DriverError("Injected failure deleting volume (delete_failure_probability)")
        self.store.delete(_vol(volume["id"]))
        self.volumes.pop(volume["id"], None)
        self.exports.pop(volume["id"], None)

    def extend_volume(self, volume: dict[str, Any], new_size: int) -> None:
        old = self.volumes.get(volume["id"], int(volume["size"]))
        self._check_space(new_size - old)
        self.store.resize(_vol(volume["id"]), new_size)
        self.volumes[volume["id"]] = new_size

    # snapshots
    def create_snapshot(self, snapshot: dict[str, Any], volume: dict[str, Any]) -> dict[str, Any] | None:
        size = int(snapshot["size"])
        self._check_space(size)
        self.store.copy(_vol(volume["id"]), _snap(snapshot["id"]))
        self.snapshots[snapshot["id"]] = size
        return None

    def delete_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.store.delete(_snap(snapshot["id"]))
        self.snapshots.pop(snapshot["id"], None)

    # connections
    def initialize_connection(self, volume: dict[str, Any], connector: dict[str, Any]) -> dict[str, Any]:
        self.exports.setdefault(volume["id"], set()).add(str(connector.get("host")))
        iqn = f"iqn.2010-10.org.openstack:volume-{volume['id']}"
        return {
            "driver_volume_type": "iscsi",
            "data": {
                "target_discovered": False,
                "target_iqn": iqn,
                "target_portal": "127.0.0.1:3260",
                "target_lun": 1,
                "volume_id": volume["id"],
                "auth_method": "CHAP",
                "auth_username": "twinstack",
                "auth_password": "fake",
                "encrypted": False,
                "qos_specs": None,
                "access_mode": "ro" if volume.get("readonly") else "rw",
                "cacheable": False,
                "device_path": self.store.location(_vol(volume["id"])),
            },
        }

    def terminate_connection(self, volume: dict[str, Any], connector: dict[str, Any] | None) -> None:
        hosts = self.exports.get(volume["id"])
        if hosts is not None and connector:
            hosts.discard(str(connector.get("host")))


def _vol(volume_id: str) -> str:
    return f"volume-{volume_id}"


def _snap(snapshot_id: str) -> str:
    return f"snapshot-{snapshot_id}"
