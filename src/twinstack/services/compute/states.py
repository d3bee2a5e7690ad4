"""Nova's instance states: vm_state, task_state, power_state and the API status mapping."""

from __future__ import annotations

# vm_states
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft_deleted"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

# power states (nova/compute/power_state.py)
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

# task states
SCHEDULING = "scheduling"
NETWORKING = "networking"
BLOCK_DEVICE_MAPPING = "block_device_mapping"
SPAWNING = "spawning"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
IMAGE_PENDING_UPLOAD = "image_pending_upload"
IMAGE_UPLOADING = "image_uploading"
UPDATING_PASSWORD = "updating_password"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
RESIZE_CONFIRMING = "resize_confirming"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
REBUILDING = "rebuilding"
REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
REBUILD_SPAWNING = "rebuild_spawning"
MIGRATING = "migrating"
DELETING = "deleting"
SOFT_DELETING = "soft-deleting"
RESTORING = "restoring"
SHELVING = "shelving"
SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"

_DEFAULT = "default"
# nova/api/openstack/common.py _STATE_MAP
_STATE_MAP: dict[str, dict[str | None, str]] = {
    ACTIVE: {
        _DEFAULT: "ACTIVE",
        REBOOTING: "REBOOT",
        REBOOT_PENDING: "REBOOT",
        REBOOT_STARTED: "REBOOT",
        REBOOTING_HARD: "HARD_REBOOT",
        REBOOT_PENDING_HARD: "HARD_REBOOT",
        REBOOT_STARTED_HARD: "HARD_REBOOT",
        UPDATING_PASSWORD: "PASSWORD",
        REBUILDING: "REBUILD",
        REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
        REBUILD_SPAWNING: "REBUILD",
        MIGRATING: "MIGRATING",
        RESIZE_PREP: "RESIZE",
        RESIZE_MIGRATING: "RESIZE",
        RESIZE_MIGRATED: "RESIZE",
        RESIZE_FINISH: "RESIZE",
    },
    BUILDING: {_DEFAULT: "BUILD"},
    STOPPED: {
        _DEFAULT: "SHUTOFF",
        RESIZE_PREP: "RESIZE",
        RESIZE_MIGRATING: "RESIZE",
        RESIZE_MIGRATED: "RESIZE",
        RESIZE_FINISH: "RESIZE",
        REBUILDING: "REBUILD",
        REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
        REBUILD_SPAWNING: "REBUILD",
    },
    RESIZED: {_DEFAULT: "VERIFY_RESIZE", RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {_DEFAULT: "PAUSED", MIGRATING: "MIGRATING"},
    SUSPENDED: {_DEFAULT: "SUSPENDED"},
    RESCUED: {_DEFAULT: "RESCUE"},
    ERROR: {
        _DEFAULT: "ERROR",
        REBUILDING: "REBUILD",
        REBUILD_BLOCK_DEVICE_MAPPING: "REBUILD",
        REBUILD_SPAWNING: "REBUILD",
    },
    DELETED: {_DEFAULT: "DELETED"},
    SOFT_DELETED: {_DEFAULT: "SOFT_DELETED"},
    SHELVED: {_DEFAULT: "SHELVED"},
    SHELVED_OFFLOADED: {_DEFAULT: "SHELVED_OFFLOADED"},
}

PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


def status_from_state(vm_state: str, task_state: str | None) -> str:
    task_map = _STATE_MAP.get(vm_state, {_DEFAULT: "UNKNOWN"})
    status = task_map.get(task_state, task_map[_DEFAULT])
    if status == "UNKNOWN":
        return "UNKNOWN"
    return status


def states_from_status(status: str) -> list[tuple[str, list[str | None] | None]]:
    """For the ``status`` list filter: the (vm_state, task_states) pairs a status stands for."""
    status = status.upper()
    result: list[tuple[str, list[str | None] | None]] = []
    for vm_state, task_map in _STATE_MAP.items():
        if task_map[_DEFAULT] == status:
            excluded = [t for t, s in task_map.items() if t != _DEFAULT and s != status]
            result.append((vm_state, ["!", *excluded] if excluded else None))
        else:
            tasks: list[str | None] = [t for t, s in task_map.items() if t != _DEFAULT and s == status]
            if tasks:
                result.append((vm_state, tasks))
    return result
