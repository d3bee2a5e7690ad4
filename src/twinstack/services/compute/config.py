"""Settings of the fake compute fleet: how many hosts, how big, how fast, how flaky.

Read from the cloud's settings when it has the field (``compute_hosts``...), else from the
environment (``TWINSTACK_COMPUTE_HOSTS``...). Tests may change ``cloud.service("compute").config``
at run time (latency and failure rates are read at each action).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.settings import EnvSettings

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud


class ComputeConfig(EnvSettings, kw_only=True):
    env_prefix = "TWINSTACK_COMPUTE_"

    hosts: int = 4
    host_prefix: str = "compute-"
    availability_zone: str = "nova"
    # per-host capacity (what the fake hypervisor reports) and allocation ratios
    vcpus: int = 64
    memory_mb: int = 262144
    local_gb: int = 4096
    cpu_allocation_ratio: float = 16.0
    ram_allocation_ratio: float = 1.5
    disk_allocation_ratio: float = 1.0
    reserved_host_memory_mb: int = 512
    # seconds each action takes on the fake hypervisor (a boot walks 4 steps of this each)
    latency: float = 0.05
    # seconds per action name, overriding ``latency`` ("spawn", "reboot", "snapshot"...)
    action_latency: dict[str, float] = {}
    # probability that a spawn fails (the build is rescheduled, then ERROR)
    spawn_failure_rate: float = 0.0
    # probability that any other driver action fails
    action_failure_rate: float = 0.0
    # scheduler
    max_placement_results: int = 1000
    max_attempts: int = 3
    host_subset_size: int = 1
    # nova's shelved_offload_time: 0 offloads at once, -1 never
    shelved_offload_time: int = 0
    # nova's [DEFAULT] default_schedule_zone
    default_schedule_zone: str | None = None

    def latency_for(self, action: str) -> float:
        return self.action_latency.get(action, self.latency)

    @classmethod
    def from_cloud(cls, cloud: Cloud) -> ComputeConfig:
        overrides: dict[str, Any] = {}
        for name in cls.__struct_fields__:
            value = getattr(cloud.settings, f"compute_{name}", None)
            if value is not None:
                overrides[name] = value
        return cls.from_env(**overrides)
