"""createImage as a polling client sees it: the server's task_state and the glance image's status
walk nova's and glance's sequences, one visible step at a time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.compute.conftest import Nova

STEPS = ("snapshot", "snapshot_pending_upload", "snapshot_upload")


@pytest.fixture
def slow_snapshot_steps(twinstack_cloud: Any) -> Iterator[None]:
    """Steps long enough that a poller cannot miss one (the latencies are read at each action)."""
    config = twinstack_cloud.cloud.service("compute").config
    old = dict(config.action_latency)
    config.action_latency = {**old, **dict.fromkeys(STEPS, 0.3)}
    yield
    config.action_latency = old


def _dedup(values: list[Any]) -> list[Any]:
    return [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]


def test_create_image_task_states_and_image_statuses(
    nova: Nova, twinstack_cloud: Any, image_id: str, slow_snapshot_steps: None
) -> None:
    body = {"server": {"name": "snapseq", "flavorRef": "42", "imageRef": image_id, "networks": "none"}}
    sid = nova("POST", "/servers", version="2.37", json=body).json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    r = nova("POST", f"/servers/{sid}/action", version="2.45", json={"createImage": {"name": "snapseq-img"}})
    assert r.status_code == 202, r.text
    snapshot_id = r.json()["image_id"]
    glance = httpx.Client(timeout=30, headers={"X-Auth-Token": nova.token})
    task_states: list[Any] = []
    image_statuses: list[str] = []
    deadline = time.monotonic() + 20
    while True:
        server = nova("GET", f"/servers/{sid}").json()["server"]
        task_states.append(server["OS-EXT-STS:task_state"])
        image = glance.get(f"{twinstack_cloud.url}/image/v2/images/{snapshot_id}").json()
        image_statuses.append(image["status"])
        if task_states[-1] is None and image_statuses[-1] == "active":
            break
        assert time.monotonic() < deadline, (task_states, image_statuses)
        time.sleep(0.01)
    seen = _dedup(task_states)
    if seen[0] == "image_snapshot_pending":  # set by the API, until the host takes the cast
        seen = seen[1:]
    assert seen == ["image_snapshot", "image_pending_upload", "image_uploading", None], task_states
    assert _dedup(image_statuses) == ["queued", "saving", "active"], image_statuses
    assert server["status"] == "ACTIVE"
    assert glance.delete(f"{twinstack_cloud.url}/image/v2/images/{snapshot_id}").status_code == 204
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
