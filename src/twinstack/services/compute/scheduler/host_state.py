"""The scheduler's in-memory view of every compute host, kept current by the hosts' reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class HostState:
    host: str
    nodename: str
    rp_uuid: str
    availability_zone: str = "nova"
    aggregates: list[dict[str, Any]] = field(default_factory=list)
    disabled: bool = False
    forced_down: bool = False
    vcpus_total: int = 0
    vcpus_used: int = 0
    total_ram_mb: int = 0
    ram_used_mb: int = 0
    total_disk_gb: int = 0
    disk_used_gb: int = 0
    num_instances: int = 0
    cpu_allocation_ratio: float = 1.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    hypervisor_type: str = "fake"
    hypervisor_version: int = 1000
    failed_builds: int = 0

    # free capacity after the allocation ratios: kept current by ``update`` and ``consume``
    # (weighers read them for every candidate of every decision)
    free_ram_mb: float = 0.0
    free_vcpus: float = 0.0
    free_disk_gb: float = 0.0

    def __post_init__(self) -> None:
        self._refresh()

    @property
    def up(self) -> bool:
        return not self.forced_down

    def _refresh(self) -> None:
        self.free_ram_mb = self.total_ram_mb * self.ram_allocation_ratio - self.ram_used_mb
        self.free_vcpus = self.vcpus_total * self.cpu_allocation_ratio - self.vcpus_used
        self.free_disk_gb = self.total_disk_gb * self.disk_allocation_ratio - self.disk_used_gb

    def consume(self, spec: dict[str, Any]) -> None:
        """Account for an instance placed here before the host reports it (nova's consume_from_request)."""
        flavor = spec["flavor"]
        self.vcpus_used += flavor["vcpus"]
        self.ram_used_mb += flavor["memory_mb"]
        self.disk_used_gb += flavor["root_gb"] + flavor.get("ephemeral_gb", 0)
        self.num_instances += 1
        self._refresh()

    def update(self, report: dict[str, Any]) -> None:
        for key, value in report.items():
            if key in _REPORTED:
                setattr(self, key, value)
        self._refresh()


_REPORTED = {
    "vcpus_total",
    "vcpus_used",
    "total_ram_mb",
    "ram_used_mb",
    "total_disk_gb",
    "disk_used_gb",
    "num_instances",
    "cpu_allocation_ratio",
    "ram_allocation_ratio",
    "disk_allocation_ratio",
    "hypervisor_type",
    "hypervisor_version",
    "disabled",
    "forced_down",
    "failed_builds",
}
