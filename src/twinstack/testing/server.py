"""Start a throwaway cloud on a free port, in this process (for tests, bench and embedding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from twinstack.clouds_yaml import cloud_entries
from twinstack.config import Settings
from twinstack.server import CloudThread


class CloudHandle:
    def __init__(self, thread: CloudThread) -> None:
        self._thread = thread
        self.settings = thread.settings
        self.cloud = thread.cloud

    @property
    def url(self) -> str:
        return self._thread.url

    @property
    def auth_url(self) -> str:
        return self.url + "/identity"

    @property
    def cloud_config(self) -> dict[str, Any]:
        """Keyword arguments for ``openstack.connect(**cloud_config)`` (admin)."""
        entry = cloud_entries(self.settings)[self.settings.cloud_name]
        return {
            **entry["auth"],
            "region_name": entry["region_name"],
            "interface": "public",
            "identity_api_version": "3",
        }

    def connect(self, **overrides: Any) -> Any:
        import openstack

        return openstack.connect(**{**self.cloud_config, **overrides})

    def write_clouds_yaml(self, path: Path) -> Path:
        """A clouds.yaml with this cloud's entries (``twinstack`` and ``twinstack-demo``)."""
        path.write_text(yaml.safe_dump({"clouds": cloud_entries(self.settings)}))
        return path

    def stop(self) -> None:
        self._thread.stop()

    def __enter__(self) -> CloudHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_cloud(ephemeral: bool = True, **settings: Any) -> CloudHandle:
    """Start a cloud on 127.0.0.1 and a free port; ``settings`` override ``Settings`` fields."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "ephemeral": ephemeral,
        "write_clouds_yaml": False,
    }
    values.update(settings)
    return CloudHandle(CloudThread(Settings.from_env(**values)).start())
