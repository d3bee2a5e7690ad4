"""Every sample task validates, and runs against an in-process twinstack leaving nothing behind.

VMTasks needs a data plane and must fail with its clear message; samples listed in ``GAPS``
need an API twinstack does not have yet and may only fail with that API's 501 (they pass as
soon as the service lands it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from twinstack.bench.cloud import Env, Poll
from twinstack.bench.engine import EXIT_OK, Engine, exit_code, needs_cloud
from twinstack.bench.scenarios.openstack.vm import DATA_PLANE_MESSAGE
from twinstack.bench.task import load
from twinstack.bench.validation import validate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "samples" / "tasks" / "scenarios"
SAMPLES = sorted(SCENARIOS.rglob("*.[jy]*"))
SHORT = {
    "times": 2,
    "concurrency": 2,
    "duration": 0.3,
    "sleep": 0,
    "image_location": str(ROOT / "samples" / "tasks" / "support" / "tiny-image.img"),
}
DATA_PLANE = {"vm/boot-runcommand-delete.yaml"}
# sample -> the only error it may end with until the service implements the API it needs
GAPS = {"cinder/create-and-attach-volume.yaml": "os-volume_attachments"}

# what an admin can list: (path under the cloud's URL, key of the list in the body)
INVENTORY = [
    ("/compute/v2.1/servers?all_tenants=1", "servers"),
    ("/compute/v2.1/flavors?is_public=None", "flavors"),
    ("/compute/v2.1/os-keypairs", "keypairs"),
    ("/image/v2/images?limit=1000", "images"),
    ("/networking/v2.0/networks", "networks"),
    ("/networking/v2.0/subnets", "subnets"),
    ("/networking/v2.0/routers", "routers"),
    ("/networking/v2.0/ports", "ports"),
    ("/networking/v2.0/floatingips", "floatingips"),
    ("/networking/v2.0/security-groups", "security_groups"),
    ("/volume/v3/volumes?all_tenants=1", "volumes"),
    ("/volume/v3/snapshots?all_tenants=1", "snapshots"),
    ("/volume/v3/types?is_public=None", "volume_types"),
    ("/identity/v3/users", "users"),
    ("/identity/v3/projects", "projects"),
    ("/identity/v3/roles", "roles"),
    ("/identity/v3/services", "services"),
]


def _id(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 79


@pytest.mark.parametrize("path", SAMPLES, ids=_id)
def test_sample_validates(path: Path) -> None:
    task = load(path)
    assert validate(task) == []


class Cloud:
    """The in-process cloud, an Env on it, and what an admin sees in it."""

    def __init__(self) -> None:
        server = pytest.importorskip("twinstack.testing.server")
        self.handle = server.start_cloud(ephemeral=True)
        cloud = self.handle.cloud
        cloud.service("compute").config.latency = 0.001
        cloud.service("block_storage").config.create_latency = 0.001
        self.env = Env(dict(self.handle.cloud_config), source="test", poll=Poll(interval=0.01, timeout=60))
        token = self.env.admin_connection().session.get_token()
        self.http = httpx.Client(base_url=self.handle.url, headers={"X-Auth-Token": token})
        self.last: set[tuple[str, str, str]] | None = None  # the inventory after the last sample

    def inventory(self) -> set[tuple[str, str, str]]:
        found = set()
        for path, key in INVENTORY:
            resp = self.http.get(path)
            resp.raise_for_status()
            for item in resp.json()[key]:
                item = item.get("keypair", item)
                found.add((key, str(item.get("name")), str(item.get("id", item.get("name")))))
        return found

    def close(self) -> None:
        self.http.close()
        self.handle.stop()


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    c = Cloud()
    yield c
    c.close()


def _errors(run: dict[str, Any]) -> tuple[list[list[str]], list[Any]]:
    workloads = [w for s in run["subtasks"] for w in s["workloads"]]
    errors = [i["error"][:2] for w in workloads for i in w["data"] if i["error"]]
    crashed = [w["error"] for w in workloads if w.get("error")]
    crashed += [
        c["cleanup"]["error"]
        for w in workloads
        for c in w.get("contexts_results", [])
        if c.get("cleanup") and c["cleanup"].get("error")
    ]
    return errors, crashed


@pytest.mark.parametrize("path", SAMPLES, ids=_id)
def test_sample_runs_and_cleans_up(path: Path, request: pytest.FixtureRequest) -> None:
    name = _id(path)
    task = load(path, SHORT)
    openstack = needs_cloud(task)
    c: Cloud | None = None
    if openstack or "HttpRequests." in path.read_text():
        c = request.getfixturevalue("cloud")
        task = load(path, {**SHORT, "url": c.handle.url + "/identity/v3"})
    before = (c.last if c.last is not None else c.inventory()) if c and openstack else set()
    run = Engine(task, env=c.env if c and openstack else None).run()
    errors, crashed = _errors(run)
    assert not crashed
    if c is not None and openstack:
        c.last = c.inventory()
        assert c.last - before == set(), "resources left behind"
    if name in DATA_PLANE:
        assert errors and all(e == ["DataPlaneRequired", DATA_PLANE_MESSAGE] for e in errors)
    elif name in GAPS:
        assert all(GAPS[name] in e[1] and "501" in e[1] for e in errors), errors
    elif "failure_rate: {max: 100}" not in path.read_text():
        assert exit_code(run) == EXIT_OK, errors
