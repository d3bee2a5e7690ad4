"""A restart of the cloud in the middle of builds: every instance ends ACTIVE or ERROR with a fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.compute.conftest import Nova, boot

from twinstack.testing import CloudHandle, start_cloud


def _cloud(data: Path) -> tuple[CloudHandle, Nova, str]:
    handle = start_cloud(ephemeral=False, data_dir=str(data), database_url=f"sqlite:///{data}/c.sqlite")
    conn = handle.connect()
    token = conn.auth_token
    images = [i for i in conn.image.images() if i.name and "cirros" in i.name]
    conn.close()
    return handle, Nova(handle.url, token), str(images[0].id)


def test_restart_mid_build_leaves_no_instance_in_build(tmp_path: Path) -> None:
    handle, nova, image_id = _cloud(tmp_path)
    try:
        config = handle.cloud.service("compute").config
        config.latency = 0.01
        done = boot(nova, image_id, "survivor")["id"]
        nova.wait(done, {"ACTIVE"})
        config.latency = 60  # every later build step outlives the cloud
        building = [boot(nova, image_id, f"interrupted-{i}")["id"] for i in range(3)]
        statuses = {nova("GET", f"/servers/{sid}").json()["server"]["status"] for sid in building}
        assert statuses == {"BUILD"}
    finally:
        handle.stop()

    again, nova, _ = _cloud(tmp_path)
    try:
        servers: dict[str, Any] = {
            sid: nova("GET", f"/servers/{sid}", version="2.100").json()["server"] for sid in [done, *building]
        }
        assert servers[done]["status"] == "ACTIVE" and servers[done]["OS-EXT-STS:task_state"] is None
        for sid in building:
            server = servers[sid]
            assert server["status"] in ("ACTIVE", "ERROR"), server["status"]
            if server["status"] == "ERROR":
                assert server["fault"]["code"] == 500 and server["fault"]["message"]
                assert server["OS-EXT-STS:task_state"] is None
        placement = again.cloud.service("placement")
        for sid in building:
            assert nova("DELETE", f"/servers/{sid}").status_code == 204
            nova.wait_gone(sid)
            assert placement.get_consumer(sid) is None
        assert nova("GET", f"/servers/{done}").json()["server"]["status"] == "ACTIVE"
    finally:
        again.stop()
