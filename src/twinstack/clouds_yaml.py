"""Write the cloud's entries into the user's clouds.yaml, leaving other entries untouched."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from twinstack.config import Settings


def default_path() -> Path:
    """Where openstacksdk looks first for a user's file: ``~/.config/openstack/clouds.yaml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "openstack" / "clouds.yaml"


def cloud_entries(settings: Settings) -> dict[str, dict[str, Any]]:
    """The ``<name>`` (admin) and ``<name>-demo`` (a member of project demo) entries."""

    def entry(user: str, password: str, project: str) -> dict[str, Any]:
        return {
            "auth": {
                "auth_url": settings.base_url() + "/identity",
                "username": user,
                "password": password,
                "project_name": project,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": settings.region,
            "interface": "public",
            "identity_api_version": 3,
        }

    return {
        settings.cloud_name: entry("admin", settings.admin_password, "admin"),
        f"{settings.cloud_name}-demo": entry("demo", settings.demo_password, "demo"),
    }


def write(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings.clouds_yaml_path or default_path()
    data: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text()) or {}
        if isinstance(loaded, dict):
            data = loaded
    clouds = data.get("clouds")
    if not isinstance(clouds, dict):
        clouds = {}
    clouds.update(cloud_entries(settings))
    data["clouds"] = clouds
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path
