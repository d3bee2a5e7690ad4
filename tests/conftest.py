"""Shared test helpers. Fixtures for a running cloud come from the twinstack pytest plugin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

OPENSTACK = shutil.which("openstack")


class OpenStackCLI:
    """Runs the real ``openstack`` command against the test cloud."""

    def __init__(self, clouds_yaml: Path, cloud: str = "twinstack") -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        self.env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
        self.env["OS_CLOUD"] = cloud

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert OPENSTACK, "the openstack CLI is not installed (pip install -e '.[test]')"
        proc = subprocess.run([OPENSTACK, *args], env=self.env, capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"openstack {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-f", "json").stdout)

    def as_cloud(self, cloud: str) -> OpenStackCLI:
        other = OpenStackCLI.__new__(OpenStackCLI)
        other.env = {**self.env, "OS_CLOUD": cloud}
        return other


@pytest.fixture(scope="session")
def cli(twinstack_clouds_yaml: Path) -> OpenStackCLI:
    return OpenStackCLI(twinstack_clouds_yaml)
