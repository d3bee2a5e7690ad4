"""Block storage settings: the fake backends and how they behave.

Read from the environment (``TWINSTACK_VOLUME_<NAME>``); tests and the control API may change
the live object (``cloud.service("block_storage").config``). A backend is ``host@backend``
with one pool of the same name, as devstack's ``twinstack@lvmdriver-1#lvmdriver-1``.
"""

from __future__ import annotations

import msgspec

from twinstack.core.settings import EnvSettings


class BackendConfig(msgspec.Struct, kw_only=True):
    """One volume backend (a cinder-volume service with one pool)."""

    name: str = "lvmdriver-1"  # volume_backend_name and pool name
    host: str = "twinstack"
    availability_zone: str = "nova"
    total_capacity_gb: int = 1000
    reserved_percentage: int = 0
    max_over_subscription_ratio: float = 20.0
    thin_provisioning: bool = True
    storage_protocol: str = "iSCSI"
    vendor_name: str = "Open Source"
    multiattach: bool = True

    @property
    def backend_id(self) -> str:
        """``host@backend``: the volume manager's topic suffix."""
        return f"{self.host}@{self.name}"

    @property
    def pool_id(self) -> str:
        """``host@backend#pool``: what a volume's ``host`` says."""
        return f"{self.backend_id}#{self.name}"


def _default_backends() -> list[BackendConfig]:
    return [BackendConfig()]


class BlockStorageConfig(EnvSettings, kw_only=True):
    env_prefix = "TWINSTACK_VOLUME_"

    backends: list[BackendConfig] = msgspec.field(default_factory=_default_backends)
    # Seconds the fake driver takes to create a volume (a poller sees ``creating`` first).
    create_latency: float = 0.05
    # Seconds for other driver work (delete, extend, snapshot, connection setup).
    op_latency: float = 0.0
    # Probability (0..1) that the driver fails a create; the flow reschedules, then ``error``.
    create_failure_probability: float = 0.0
    # Probability that a delete fails (``error_deleting``).
    delete_failure_probability: float = 0.0
    scheduler_max_attempts: int = 3
    # Keep a sparse file per volume under <data dir>/volumes (None: only when not ephemeral).
    volume_files: bool | None = None
    default_volume_type: str = "__DEFAULT__"
    # Default quotas (cinder's defaults).
    quota_volumes: int = 10
    quota_snapshots: int = 10
    quota_gigabytes: int = 1000
    quota_backups: int = 10
    quota_backup_gigabytes: int = 1000
    quota_groups: int = 10
    quota_per_volume_gigabytes: int = -1
