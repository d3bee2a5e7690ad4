"""``cleanup``: delete what the scenarios created (tracked by id), newest first.

Rally's cleanup takes a list of services (``["nova", "cinder"]``) and finds resources by their
``rally_`` names; twinstack tracks every resource a scenario creates instead, so the list is
accepted and only narrows which kinds are deleted. The engine adds this context to every
OpenStack workload that does not configure it, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from twinstack.bench.contexts.base import Context
from twinstack.bench.registry import register

SERVICE_KINDS = {
    "nova": {"server", "keypair", "flavor", "server_image"},
    "cinder": {"volume", "snapshot", "volume_type", "volume_attachment"},
    "neutron": {"network", "subnet", "router", "port", "floating_ip", "security_group", "router_interface"},
    "glance": {"image", "server_image"},
    "keystone": {"user", "project", "role"},
}


def delete_resource(conn: Any, kind: str, rid: str, timeout: float = 60.0) -> None:
    """Delete one resource, ignoring resources already gone; waits for servers and volumes."""
    if kind == "server":
        server = conn.compute.find_server(rid, ignore_missing=True)
        if server is not None:
            conn.compute.delete_server(server, force=False)
            conn.compute.wait_for_delete(server, interval=0.2, wait=timeout)
    elif kind == "volume":
        volume = conn.block_storage.find_volume(rid, ignore_missing=True)
        if volume is not None:
            conn.block_storage.delete_volume(
                volume,
                force=volume.status not in ("available", "error", "error_restoring", "error_extending"),
            )
            conn.block_storage.wait_for_delete(volume, interval=0.2, wait=timeout)
    elif kind == "router_interface":
        router_id, subnet_id = rid.split("/", 1)
        with contextlib.suppress(Exception):  # already removed
            conn.network.remove_interface_from_router(router_id, subnet_id=subnet_id)
    else:
        deleters = {
            "snapshot": lambda: conn.block_storage.delete_snapshot(rid, ignore_missing=True),
            "volume_type": lambda: conn.block_storage.delete_type(rid, ignore_missing=True),
            "keypair": lambda: conn.compute.delete_keypair(rid, ignore_missing=True),
            "flavor": lambda: conn.compute.delete_flavor(rid, ignore_missing=True),
            "image": lambda: conn.image.delete_image(rid, ignore_missing=True),
            "server_image": lambda: conn.image.delete_image(rid, ignore_missing=True),
            "network": lambda: conn.network.delete_network(rid, ignore_missing=True),
            "subnet": lambda: conn.network.delete_subnet(rid, ignore_missing=True),
            "router": lambda: conn.network.delete_router(rid, ignore_missing=True),
            "port": lambda: conn.network.delete_port(rid, ignore_missing=True),
            "floating_ip": lambda: conn.network.delete_ip(rid, ignore_missing=True),
            "security_group": lambda: conn.network.delete_security_group(rid, ignore_missing=True),
            "user": lambda: conn.identity.delete_user(rid, ignore_missing=True),
            "project": lambda: conn.identity.delete_project(rid, ignore_missing=True),
            "role": lambda: conn.identity.delete_role(rid, ignore_missing=True),
        }
        deleters[kind]()


@register("context", "cleanup")
class Cleanup(Context):
    """Delete the resources the workload's scenarios created (list of services to clean up;
    an empty list means all)."""

    ORDER: ClassVar[int] = 10**9
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "array",
        "uniqueItems": True,
        "items": {"type": "string", "enum": [*SERVICE_KINDS, "swift", "heat", "manila", "designate"]},
    }

    def setup(self) -> None:
        from twinstack.bench.scenarios.openstack.base import Tracker

        self.ctx.setdefault("tracker", Tracker())

    def cleanup(self) -> None:
        tracker = self.ctx.get("tracker")
        if tracker is None:
            return
        kinds = set().union(*(SERVICE_KINDS.get(s, set()) for s in self.config)) if self.config else None
        failures = []
        for kind, rid, owner in reversed(tracker.drain()):
            if kinds is not None and kind not in kinds:
                continue
            conn = self.env.connection(owner) if owner else self.env.admin_connection()
            try:
                delete_resource(conn, kind, rid, self.env.poll.timeout)
            except Exception as exc:  # noqa: BLE001 - keep deleting the rest
                failures.append(f"{kind} {rid}: {exc}")
        if failures:
            raise RuntimeError("could not delete: " + "; ".join(failures[:10]))


@register("context", "admin_cleanup")
class AdminCleanup(Cleanup):
    """Like ``cleanup`` (twinstack deletes tracked resources with the right credentials)."""
