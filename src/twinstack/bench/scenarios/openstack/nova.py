"""NovaServers.* and NovaKeypair.* (rally-openstack's names, arguments and atomic actions)."""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.common import _IMAGE_FLAVOR, CinderScenario, NovaScenario

BOUNCE_ACTIONS = (
    "hard_reboot",
    "soft_reboot",
    "stop_start",
    "rescue_unrescue",
    "pause_unpause",
    "suspend_resume",
    "lock_unlock",
    "shelve_unshelve",
)


@register("scenario", "NovaServers.boot_and_delete_server")
class BootAndDeleteServer(NovaScenario):
    """Boot a server, sleep between min_sleep and max_sleep (idle time), delete it.

    image, flavor: ``{name|regex|id}``. force_delete: use force-delete. Other arguments go to the
    server create call (e.g. ``nics: [{net-id: ...}]``, ``key_name``, ``availability_zone``).
    """

    def run(
        self,
        image: str,
        flavor: str,
        min_sleep: float = 0,
        max_sleep: float = 0,
        force_delete: bool = False,
        **kwargs: Any,
    ) -> None:
        server = self._boot_server(image, flavor, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_server(server, force=force_delete)


@register("scenario", "NovaServers.boot_server")
class BootServer(NovaScenario):
    """Boot a server (left to cleanup). auto_assign_nic: put it on a tenant network."""

    def run(self, image: str, flavor: str, auto_assign_nic: bool = False, **kwargs: Any) -> None:
        self._boot_server(image, flavor, auto_assign_nic=auto_assign_nic, **kwargs)


@register("scenario", "NovaServers.boot_and_list_server")
class BootAndListServer(NovaScenario):
    """Boot a server, then list servers (``detailed``) and check it is in the list."""

    def run(self, image: str, flavor: str, detailed: bool = True, **kwargs: Any) -> None:
        server = self._boot_server(image, flavor, **kwargs)
        with self.atomic("nova.list_servers"):
            ids = [s.id for s in self.compute.servers(details=detailed)]
        if server.id not in ids:
            raise AssertionError(f"server {server.id} is not in the list of servers")


@register("scenario", "NovaServers.list_servers")
class ListServers(NovaScenario):
    """List servers (``detailed``: with details)."""

    ARG_TYPES: ClassVar[dict[str, str]] = {}

    def run(self, detailed: bool = True) -> None:
        with self.atomic("nova.list_servers"):
            list(self.compute.servers(details=detailed))


@register("scenario", "NovaServers.boot_and_bounce_server")
class BootAndBounceServer(NovaScenario):
    """Boot a server, run ``actions`` on it, delete it.

    actions: a list like ``[{hard_reboot: 1}, {stop_start: 2}]`` of hard_reboot, soft_reboot,
    stop_start, rescue_unrescue, pause_unpause, suspend_resume, lock_unlock, shelve_unshelve.
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "propertyNames": {"enum": list(BOUNCE_ACTIONS)},
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
        }
    }

    def run(
        self,
        image: str,
        flavor: str,
        force_delete: bool = False,
        actions: list[dict[str, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        server = self._boot_server(image, flavor, **kwargs)
        c = self.compute
        for action in actions or []:
            ((name, times),) = action.items()
            for _ in range(times):
                if name == "hard_reboot":
                    self._action("nova.reboot_server", c.reboot_server, server, "ACTIVE", "HARD")
                elif name == "soft_reboot":
                    self._action("nova.soft_reboot_server", c.reboot_server, server, "ACTIVE", "SOFT")
                elif name == "stop_start":
                    self._action("nova.stop_server", c.stop_server, server, "SHUTOFF")
                    self._action("nova.start_server", c.start_server, server, "ACTIVE")
                elif name == "rescue_unrescue":
                    self._action("nova.rescue_server", c.rescue_server, server, "RESCUE")
                    self._action("nova.unrescue_server", c.unrescue_server, server, "ACTIVE")
                elif name == "pause_unpause":
                    self._action("nova.pause_server", c.pause_server, server, "PAUSED")
                    self._action("nova.unpause_server", c.unpause_server, server, "ACTIVE")
                elif name == "suspend_resume":
                    self._action("nova.suspend_server", c.suspend_server, server, "SUSPENDED")
                    self._action("nova.resume_server", c.resume_server, server, "ACTIVE")
                elif name == "lock_unlock":
                    with self.atomic("nova.lock_server"):
                        c.lock_server(server)
                    with self.atomic("nova.unlock_server"):
                        c.unlock_server(server)
                elif name == "shelve_unshelve":
                    self._action("nova.shelve_server", c.shelve_server, server, "SHELVED_OFFLOADED")
                    self._action("nova.unshelve_server", c.unshelve_server, server, "ACTIVE")
        self._delete_server(server, force=force_delete)


def _pair(first: str, second: str, s1: str, s2: str, doc: str) -> type[NovaScenario]:
    class _Pair(NovaScenario):
        __doc__ = doc

        def run(self, image: str, flavor: str, force_delete: bool = False, **kwargs: Any) -> None:
            server = self._boot_server(image, flavor, **kwargs)
            c = self.compute
            self._action(f"nova.{first}_server", getattr(c, f"{first}_server"), server, s1)
            self._action(f"nova.{second}_server", getattr(c, f"{second}_server"), server, s2)
            self._delete_server(server, force=force_delete)

    return _Pair


register("scenario", "NovaServers.pause_and_unpause_server")(
    _pair("pause", "unpause", "PAUSED", "ACTIVE", "Boot a server, pause it, unpause it, delete it.")
)
register("scenario", "NovaServers.suspend_and_resume_server")(
    _pair("suspend", "resume", "SUSPENDED", "ACTIVE", "Boot a server, suspend it, resume it, delete it.")
)
register("scenario", "NovaServers.shelve_and_unshelve_server")(
    _pair(
        "shelve",
        "unshelve",
        "SHELVED_OFFLOADED",
        "ACTIVE",
        "Boot a server, shelve it, unshelve it, delete it.",
    )
)


@register("scenario", "NovaServers.resize_server")
class ResizeServer(NovaScenario):
    """Boot a server, resize it to ``to_flavor``, confirm (or revert with confirm=False), delete."""

    ARG_TYPES: ClassVar[dict[str, str]] = {**_IMAGE_FLAVOR, "to_flavor": "nova_flavor"}

    def run(
        self,
        image: str,
        flavor: str,
        to_flavor: str,
        force_delete: bool = False,
        confirm: bool = True,
        **kwargs: Any,
    ) -> None:
        server = self._boot_server(image, flavor, **kwargs)
        c = self.compute
        self._action("nova.resize", c.resize_server, server, "VERIFY_RESIZE", to_flavor)
        if confirm:
            self._action("nova.resize_confirm", c.confirm_server_resize, server, "ACTIVE")
        else:
            self._action("nova.resize_revert", c.revert_server_resize, server, "ACTIVE")
        self._delete_server(server, force=force_delete)


@register("scenario", "NovaServers.boot_and_rebuild_server")
class BootAndRebuildServer(NovaScenario):
    """Boot a server from ``from_image``, rebuild it with ``to_image``, delete it."""

    ARG_TYPES: ClassVar[dict[str, str]] = {
        "from_image": "glance_image",
        "to_image": "glance_image",
        "flavor": "nova_flavor",
    }

    def run(self, from_image: str, to_image: str, flavor: str, **kwargs: Any) -> None:
        server = self._boot_server(from_image, flavor, **kwargs)
        self._action("nova.rebuild_server", self.compute.rebuild_server, server, "ACTIVE", to_image)
        self._delete_server(server)


@register("scenario", "NovaServers.snapshot_server")
class SnapshotServer(NovaScenario):
    """Boot a server, snapshot it to an image, delete the server, boot one from the snapshot,
    delete it and the snapshot."""

    def run(self, image: str, flavor: str, force_delete: bool = False, **kwargs: Any) -> None:
        server = self._boot_server(image, flavor, **kwargs)
        with self.atomic("nova.snapshot_server"):
            snap = self.compute.create_server_image(server, self.generate_random_name(), wait=False)
            self.track("server_image", snap.id)
            self.wait_for(
                self.clients().image, f"/images/{snap.id}", "active", ["killed", "deleted"], "image"
            )
        self._delete_server(server, force=force_delete)
        server = self._boot_server(snap.id, flavor, **kwargs)
        self._delete_server(server, force=force_delete)
        with self.atomic("nova.delete_image"):
            self.clients().image.delete_image(snap)
        self.untrack("server_image", snap.id)


@register("scenario", "NovaServers.boot_server_from_volume_and_delete")
class BootServerFromVolumeAndDelete(NovaScenario, CinderScenario):
    """Create a bootable volume from ``image``, boot a server from it, sleep, delete the server
    (the volume is deleted with it)."""

    def run(
        self,
        image: str,
        flavor: str,
        volume_size: int,
        volume_type: str | None = None,
        min_sleep: float = 0,
        max_sleep: float = 0,
        force_delete: bool = False,
        **kwargs: Any,
    ) -> None:
        volume = self._create_volume(volume_size, image=image, volume_type=volume_type)
        kwargs["block_device_mapping_v2"] = [
            {
                "boot_index": 0,
                "uuid": volume.id,
                "source_type": "volume",
                "destination_type": "volume",
                "delete_on_termination": True,
            }
        ]
        server = self._boot_server(None, flavor, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_server(server, force=force_delete)


@register("scenario", "NovaServers.boot_and_associate_floating_ip")
class BootAndAssociateFloatingIP(NovaScenario):
    """Boot a server, create a floating IP on ``floating_network`` (the external network by
    default), associate it with the server's port."""

    def run(
        self,
        image: str,
        flavor: str,
        floating_network: str | None = None,
        create_floating_ip_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        from twinstack.bench.scenarios.openstack.neutron import create_floating_ip

        server = self._boot_server(image, flavor, **kwargs)
        fip = create_floating_ip(self, floating_network, create_floating_ip_args or {})
        net = self.clients().network
        with self.atomic("nova.associate_floating_ip"):
            port = next(iter(net.ports(device_id=server.id)), None)
            if port is None:
                raise RuntimeError(f"server {server.id} has no port to associate a floating IP with")
            net.update_ip(fip, port_id=port.id)


@register("scenario", "NovaKeypair.create_and_delete_keypair")
class CreateAndDeleteKeypair(NovaScenario):
    """Create a keypair (arguments go to the create call) and delete it."""

    ARG_TYPES: ClassVar[dict[str, str]] = {}

    def run(self, **kwargs: Any) -> None:
        with self.atomic("nova.create_keypair"):
            kp = self.compute.create_keypair(name=self.generate_random_name(), **kwargs)
        self.track("keypair", kp.name)
        with self.atomic("nova.delete_keypair"):
            self.compute.delete_keypair(kp)
        self.untrack("keypair", kp.name)


@register("scenario", "NovaKeypair.create_and_list_keypairs")
class CreateAndListKeypairs(NovaScenario):
    """Create a keypair and list keypairs."""

    ARG_TYPES: ClassVar[dict[str, str]] = {}

    def run(self, **kwargs: Any) -> None:
        with self.atomic("nova.create_keypair"):
            kp = self.compute.create_keypair(name=self.generate_random_name(), **kwargs)
        self.track("keypair", kp.name)
        with self.atomic("nova.list_keypairs"):
            names = [k.name for k in self.compute.keypairs()]
        if kp.name not in names:
            raise AssertionError(f"keypair {kp.name} is not in the list of keypairs")


@register("scenario", "NovaKeypair.boot_and_delete_server_with_keypair")
class BootAndDeleteServerWithKeypair(NovaScenario):
    """Create a keypair, boot a server with it, delete the server and the keypair."""

    def run(
        self, image: str, flavor: str, boot_server_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        with self.atomic("nova.create_keypair"):
            kp = self.compute.create_keypair(name=self.generate_random_name(), **kwargs)
        self.track("keypair", kp.name)
        server = self._boot_server(image, flavor, key_name=kp.name, **(boot_server_kwargs or {}))
        self._delete_server(server)
        with self.atomic("nova.delete_keypair"):
            self.compute.delete_keypair(kp)
        self.untrack("keypair", kp.name)
