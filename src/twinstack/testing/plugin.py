"""pytest plugin (entry point ``twinstack``): a twinstack cloud for your tests.

Fixtures:
- ``twinstack_cloud``: a cloud on a free port for the whole session (``CloudHandle``).
- ``twinstack_conn``: an openstacksdk ``Connection`` to it as admin.
- ``twinstack_clouds_yaml``: a clouds.yaml with entries ``twinstack`` (admin) and
  ``twinstack-demo``, and ``OS_CLIENT_CONFIG_FILE`` pointing at it, for the ``openstack`` CLI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twinstack.testing.server import CloudHandle, start_cloud


@pytest.fixture(scope="session")
def twinstack_cloud() -> Iterator[CloudHandle]:
    handle = start_cloud()
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def twinstack_conn(twinstack_cloud: CloudHandle) -> Any:
    conn = twinstack_cloud.connect()
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def twinstack_clouds_yaml(
    twinstack_cloud: CloudHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    path = twinstack_cloud.write_clouds_yaml(tmp_path_factory.mktemp("openstack") / "clouds.yaml")
    old = os.environ.get("OS_CLIENT_CONFIG_FILE")
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("OS_CLIENT_CONFIG_FILE", None)
    else:
        os.environ["OS_CLIENT_CONFIG_FILE"] = old
