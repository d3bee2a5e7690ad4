"""The hypervisor driver contract (nova/virt/driver.py, reduced to what twinstack uses).

Only the compute manager of one host calls its driver. Every method is async (a real
hypervisor takes time) and raises ``DriverError`` on failure; on failure a method must leave
the guest as it found it (or gone, for ``spawn``) so the manager can reschedule or roll back.
``instance`` is the instance record (a dict: id, display_name, flavor, image_ref, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class DriverError(Exception):
    """A hypervisor operation failed."""


class InstanceNotFound(DriverError):
    """The hypervisor has no guest for this instance."""


@dataclass(slots=True)
class HostResources:
    """What the host offers, as ``get_available_resource`` reports it to the resource tracker."""

    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    host_ip: str
    cpu_info: str


class ComputeDriver:
    def init_host(self, host: str) -> None:
        """Prepare the hypervisor when the compute service starts."""

    def get_available_resource(self) -> HostResources:
        """The host's total capacity (not what is used: placement counts that)."""
        raise NotImplementedError

    def list_instance_uuids(self) -> list[str]:
        """Uuids of every guest the hypervisor has."""
        raise NotImplementedError

    def get_power_state(self, instance_id: str) -> int:
        """The guest's power state (``states.RUNNING``...); raise ``InstanceNotFound`` if none."""
        raise NotImplementedError

    def adopt(self, instance: dict[str, Any]) -> None:
        """Know an existing guest again after the service restarted (state from the record)."""

    async def spawn(
        self,
        instance: dict[str, Any],
        image_meta: dict[str, Any],
        network_info: list[dict[str, Any]],
        block_device_info: list[dict[str, Any]],
        admin_password: str | None = None,
        power_on: bool = True,
    ) -> None:
        """Create and start a guest. On failure nothing of the guest may remain."""
        raise NotImplementedError

    async def destroy(self, instance: dict[str, Any]) -> None:
        """Stop and delete the guest and its disks. Succeeds when the guest is already gone."""
        raise NotImplementedError

    async def reboot(self, instance: dict[str, Any], reboot_type: str) -> None:
        """Restart the guest (``SOFT`` or ``HARD``); a hard reboot re-creates a missing guest."""
        raise NotImplementedError

    async def power_off(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def power_on(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def pause(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def unpause(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def suspend(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def resume(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def rescue(self, instance: dict[str, Any], rescue_image: str | None) -> None:
        """Boot the guest from a rescue image, keeping its disk attached."""
        raise NotImplementedError

    async def unrescue(self, instance: dict[str, Any]) -> None:
        raise NotImplementedError

    async def snapshot(self, instance: dict[str, Any]) -> Iterator[bytes]:
        """The guest's root disk as chunks (uploaded to the image service by the manager)."""
        raise NotImplementedError

    async def set_admin_password(self, instance: dict[str, Any], password: str) -> None:
        raise NotImplementedError

    async def migrate_disk_and_power_off(self, instance: dict[str, Any], dest: str) -> None:
        """Source side of a resize/cold migration: stop the guest and hand its disk over."""
        raise NotImplementedError

    async def finish_migration(self, instance: dict[str, Any], power_on: bool) -> None:
        """Destination side: create the guest from the migrated disk (new flavor)."""
        raise NotImplementedError

    async def confirm_migration(self, instance: dict[str, Any]) -> None:
        """Source side after confirm: drop the old guest."""
        raise NotImplementedError

    async def finish_revert_migration(self, instance: dict[str, Any], power_on: bool) -> None:
        """Source side after revert: bring the old guest back."""
        raise NotImplementedError

    async def live_migration(self, instance: dict[str, Any], dest: str) -> None:
        """Move a running guest away; the destination adopts it."""
        raise NotImplementedError

    def get_console_output(self, instance: dict[str, Any]) -> str:
        raise NotImplementedError

    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError
