"""The volume driver contract (cinder's ``VolumeDriver``), as the volume manager uses it.

A driver owns one backend (``host@backend``) with its pools. The manager calls it only from
its own methods, never while a database transaction is open; driver methods are synchronous
and must be quick (the manager adds the configured latency around them). A method that fails
raises ``DriverError`` after undoing what it did, so the manager can set cinder's ``error``
state (or reschedule a create) and the backend's accounting stays true.

Volumes and snapshots are passed as plain dicts (the database rows: ``id``, ``size``,
``host``...). Methods that change what the backend stores return a "model update" dict of
columns for the manager to save (e.g. ``{"provider_location": ...}``) or ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class DriverError(Exception):
    """The backend could not do it (cinder's ``VolumeBackendAPIException``)."""


class VolumeDriver:
    """Base class: every method documents what a driver must do."""

    def do_setup(self) -> None:
        """Prepare the backend (open connections, create directories)."""

    def check_for_setup_error(self) -> None:
        """Raise ``DriverError`` when the backend cannot serve."""

    def ensure_export(self, volume: dict[str, Any]) -> None:
        """At manager start: take back a volume this backend already holds (after a restart).

        Must count the volume's space as allocated again.
        """
        raise NotImplementedError

    def get_volume_stats(self) -> dict[str, Any]:
        """The backend's capabilities and capacity, as cinder drivers report them.

        Returns ``{"volume_backend_name", "vendor_name", "driver_version", "storage_protocol",
        "pools": [{"pool_name", "total_capacity_gb", "free_capacity_gb",
        "allocated_capacity_gb", "provisioned_capacity_gb", "reserved_percentage",
        "max_over_subscription_ratio", "thin_provisioning_support",
        "thick_provisioning_support", "multiattach", "QoS_support", ...}]}``.
        """
        raise NotImplementedError

    def create_volume(self, volume: dict[str, Any]) -> dict[str, Any] | None:
        """Create a blank volume of ``volume["size"]`` GiB. On failure nothing stays allocated."""
        raise NotImplementedError

    def create_volume_from_snapshot(
        self, volume: dict[str, Any], snapshot: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Create a volume holding the snapshot's data (size may be larger than the snapshot)."""
        raise NotImplementedError

    def create_cloned_volume(self, volume: dict[str, Any], src_vref: dict[str, Any]) -> dict[str, Any] | None:
        """Create a volume holding a copy of ``src_vref``'s data."""
        raise NotImplementedError

    def copy_image_to_volume(self, volume: dict[str, Any], chunks: Iterable[bytes]) -> None:
        """Write an image's bytes at the start of an existing volume."""
        raise NotImplementedError

    def copy_volume_to_image(self, volume: dict[str, Any]) -> Iterator[bytes]:
        """The volume's bytes, for an upload to the image service (data written so far)."""
        raise NotImplementedError

    def delete_volume(self, volume: dict[str, Any]) -> None:
        """Remove the volume and free its space. Deleting an unknown volume is not an error."""
        raise NotImplementedError

    def extend_volume(self, volume: dict[str, Any], new_size: int) -> None:
        """Grow the volume to ``new_size`` GiB (data kept)."""
        raise NotImplementedError

    def create_snapshot(self, snapshot: dict[str, Any], volume: dict[str, Any]) -> dict[str, Any] | None:
        """Take a point-in-time copy of ``volume``."""
        raise NotImplementedError

    def delete_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Remove a snapshot. Deleting an unknown snapshot is not an error."""
        raise NotImplementedError

    def initialize_connection(self, volume: dict[str, Any], connector: dict[str, Any]) -> dict[str, Any]:
        """Export the volume to the connector's host; returns ``connection_info``
        (``{"driver_volume_type": ..., "data": {...}}``) as os-brick expects it."""
        raise NotImplementedError

    def terminate_connection(self, volume: dict[str, Any], connector: dict[str, Any] | None) -> None:
        """Stop exporting the volume to the connector's host."""
        raise NotImplementedError
