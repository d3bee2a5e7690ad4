"""The image service's own settings, read from ``TWINSTACK_IMAGE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from twinstack.core.settings import EnvSettings

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")


class ImageSettings(EnvSettings, kw_only=True):
    """Glance's knobs that matter here (glance-api.conf names)."""

    env_prefix = "TWINSTACK_IMAGE_"

    # Largest image accepted, in bytes (glance's image_size_cap: 1 TiB).
    image_size_cap: int = 1099511627776
    # Bytes of image data a project may store; 0 means unlimited (glance's user_storage_quota).
    user_storage_quota: int = 0
    # Where image bytes go; empty means <data_dir>/images (a temp dir for an ephemeral cloud).
    store_dir: Path | None = None
    limit_param_default: int = 25
    api_limit_max: int = 1000
    # Bytes per chunk when streaming image data back.
    read_chunk_size: int = 1024 * 1024
    enabled_import_methods: tuple[str, ...] = ("glance-direct",)
