"""Helpers that several scenario groups share: booting and deleting servers (``nova.*`` atomic
actions) and creating, waiting for and deleting volumes (``cinder_v3.*``).

``NovaScenario`` and ``CinderScenario`` are mixed together by scenarios that need both
(``CinderVolumes.create_and_attach_volume``, ``NovaServers.boot_server_from_volume_and_delete``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.scenarios.openstack.base import SIZE_SCHEMA, OpenStackScenario, pick_size

_IMAGE_FLAVOR = {"image": "glance_image", "flavor": "nova_flavor"}


class NovaScenario(OpenStackScenario):
    ARG_TYPES: ClassVar[dict[str, str]] = _IMAGE_FLAVOR

    @property
    def compute(self) -> Any:
        return self.clients().compute

    def _wait(self, server: Any, status: str = "ACTIVE") -> Any:
        """Wait for ``status``; returns ``server`` (the create call's object: its id is all the
        scenarios use)."""
        self.wait_for(self.compute, f"/servers/{server.id}", status, ["ERROR"], "server", "server")
        return server

    def _networks(self, kwargs: dict[str, Any], auto_assign_nic: bool) -> Any:
        if "nics" in kwargs:
            return [
                {"uuid": n.get("net-id", n.get("uuid")), **({"port": n["port-id"]} if "port-id" in n else {})}
                for n in kwargs.pop("nics")
            ]
        if "networks" in kwargs:
            return kwargs.pop("networks")
        nets = self.tenant_networks()
        if nets:
            return [{"uuid": nets[(self.context.get("iteration", 1) - 1) % len(nets)]["id"]}]
        return "auto" if auto_assign_nic else "none"

    def _boot_server(
        self, image: str | None, flavor: str, auto_assign_nic: bool = False, **kwargs: Any
    ) -> Any:
        """nova.boot_server: create and wait for ACTIVE."""
        secgroup = (self.context.get("user") or {}).get("secgroup")
        if secgroup:
            groups = kwargs.setdefault("security_groups", [])
            if not any(g.get("name") == secgroup["name"] for g in groups if isinstance(g, dict)):
                groups.append({"name": secgroup["name"]})
        if "key_name" not in kwargs and (self.context.get("user") or {}).get("keypair"):
            kwargs["key_name"] = self.context["user"]["keypair"]["name"]
        networks = self._networks(kwargs, auto_assign_nic)
        attrs = {"name": self.generate_random_name(), "flavor_id": flavor, "networks": networks, **kwargs}
        if image:
            attrs["image_id"] = image
        with self.atomic("nova.boot_server"):
            server = self.compute.create_server(**attrs)
            self.track("server", server.id)
            server = self._wait(server)
        return server

    def _delete_server(self, server: Any, force: bool = False) -> None:
        name = "nova.force_delete_server" if force else "nova.delete_server"
        with self.atomic(name):
            self.compute.delete_server(server, force=force)
            self.wait_gone(self.compute, f"/servers/{server.id}", "server", ["ERROR"])
        self.untrack("server", server.id)

    def _action(self, atomic: str, call: Any, server: Any, status: str, *args: Any) -> Any:
        with self.atomic(atomic):
            call(server, *args)
            return self._wait(server, status)


class CinderScenario(OpenStackScenario):
    ARG_TYPES: ClassVar[dict[str, str]] = {"image": "glance_image"}
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"size": SIZE_SCHEMA}

    def _wait_volume(self, volume: Any, status: str = "available") -> Any:
        self.wait_for(
            self.clients().block_storage,
            f"/volumes/{volume.id}",
            status,
            ["error", "error_extending"],
            "volume",
            "volume",
        )
        return volume

    def _create_volume(self, size: int | dict[str, int], image: str | None = None, **kwargs: Any) -> Any:
        """cinder_v3.create_volume: create and wait for ``available``."""
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if image:
            kwargs["image_id"] = image
        with self.atomic("cinder_v3.create_volume"):
            volume = self.clients().block_storage.create_volume(
                size=pick_size(size), name=kwargs.pop("name", self.generate_random_name()), **kwargs
            )
            self.track("volume", volume.id)
            return self._wait_volume(volume)

    def _delete_volume(self, volume: Any) -> None:
        bs = self.clients().block_storage
        with self.atomic("cinder_v3.delete_volume"):
            bs.delete_volume(volume)
            self.wait_gone(bs, f"/volumes/{volume.id}", "volume", ["error_deleting"])
        self.untrack("volume", volume.id)

    def _create_snapshot(self, volume_id: str, force: bool = False, **kwargs: Any) -> Any:
        bs = self.clients().block_storage
        with self.atomic("cinder_v3.create_snapshot"):
            snap = bs.create_snapshot(
                volume_id=volume_id, force=force, name=self.generate_random_name(), **kwargs
            )
            self.track("snapshot", snap.id)
            self.wait_for(bs, f"/snapshots/{snap.id}", "available", ["error"], "snapshot", "snapshot")
            return snap

    def _delete_snapshot(self, snap: Any) -> None:
        bs = self.clients().block_storage
        with self.atomic("cinder_v3.delete_snapshot"):
            bs.delete_snapshot(snap)
            self.wait_gone(bs, f"/snapshots/{snap.id}", "snapshot", ["error_deleting"])
        self.untrack("snapshot", snap.id)
