"""The fake hypervisor: guests are records in memory with power states and a console log.

It behaves like nova's ``FakeDriver``: every action succeeds (unless a failure rate says
otherwise) after the configured latency, guests keep their power state, and the console shows
a cirros-like boot log. Guests survive a restart of the service (``adopt``), as they survive a
nova-compute restart on a real hypervisor.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from twinstack.services.compute import states
from twinstack.services.compute.drivers.base import (
    ComputeDriver,
    DriverError,
    HostResources,
    InstanceNotFound,
)

if TYPE_CHECKING:
    from twinstack.services.compute.config import ComputeConfig

CPU_INFO = (
    '{"arch": "x86_64", "model": "Nehalem", "vendor": "Intel", "topology": '
    '{"sockets": 4, "cores": 4, "threads": 1}, "features": ["vmx", "sse4.2"]}'
)


@dataclass(slots=True)
class FakeGuest:
    uuid: str
    name: str
    power_state: int
    vcpus: int
    memory_mb: int
    disk_gb: int
    console: list[str] = field(default_factory=list)
    rescued: bool = False


class FakeDriver(ComputeDriver):
    def __init__(self, host: str, node: str, config: ComputeConfig, rng: random.Random | None = None) -> None:
        self.host = host
        self.node = node
        self.config = config
        self.guests: dict[str, FakeGuest] = {}
        self.rng = rng or random.Random()
        self.host_ip = "192.168.0.1"

    # helpers -----------------------------------------------------------------------------
    async def _work(self, action: str) -> None:
        delay = self.config.latency_for(action)
        if delay > 0:
            await asyncio.sleep(delay)
        rate = self.config.spawn_failure_rate if action == "spawn" else self.config.action_failure_rate
        if rate and self.rng.random() < rate:
            raise DriverError(f"fake hypervisor {self.node}: {action} failed (injected failure)")

    def _guest(self, instance: dict[str, Any]) -> FakeGuest:
        guest = self.guests.get(instance["id"])
        if guest is None:
            raise InstanceNotFound(f"Instance {instance['id']} could not be found.")
        return guest

    def _log(self, guest: FakeGuest, *lines: str) -> None:
        guest.console.extend(lines)
        del guest.console[:-200]

    # contract ----------------------------------------------------------------------------
    def get_available_resource(self) -> HostResources:
        c = self.config
        return HostResources(
            c.vcpus, c.memory_mb, c.local_gb, "fake", 1000, self.node, self.host_ip, CPU_INFO
        )

    def list_instance_uuids(self) -> list[str]:
        return list(self.guests)

    def get_power_state(self, instance_id: str) -> int:
        guest = self.guests.get(instance_id)
        if guest is None:
            raise InstanceNotFound(f"Instance {instance_id} could not be found.")
        return guest.power_state

    def adopt(self, instance: dict[str, Any]) -> None:
        flavor = instance["flavor"]
        self.guests[instance["id"]] = FakeGuest(
            instance["id"],
            instance.get("display_name") or "",
            instance.get("power_state") or states.NOSTATE,
            flavor["vcpus"],
            flavor["memory_mb"],
            flavor["root_gb"],
        )

    async def spawn(
        self,
        instance: dict[str, Any],
        image_meta: dict[str, Any],
        network_info: list[dict[str, Any]],
        block_device_info: list[dict[str, Any]],
        admin_password: str | None = None,
        power_on: bool = True,
    ) -> None:
        await self._work("spawn")
        flavor = instance["flavor"]
        guest = FakeGuest(
            instance["id"],
            instance.get("display_name") or "",
            states.RUNNING if power_on else states.SHUTDOWN,
            flavor["vcpus"],
            flavor["memory_mb"],
            flavor["root_gb"],
        )
        self.guests[guest.uuid] = guest
        self._boot_log(guest, network_info)

    def _boot_log(self, guest: FakeGuest, network_info: list[dict[str, Any]] | None = None) -> None:
        hostname = guest.name or "cirros"
        self._log(
            guest,
            "[    0.000000] Linux version 5.15.0-71-generic (buildd@lcy02-amd64-044) (twinstack fake)",
            "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cirros-rootfs ro console=ttyS0",
            "[    1.024000] Run /init as init process",
            "Starting network: udhcpc: started",
        )
        for port in network_info or []:
            for ip in port.get("fixed_ips", []):
                self._log(guest, f"udhcpc: lease of {ip.get('ip_address')} obtained, lease time 86400")
        self._log(
            guest,
            "=== cirros: current=0.6.2 uptime=3.52 ===",
            "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
            f"{hostname} login: ",
        )

    async def destroy(self, instance: dict[str, Any]) -> None:
        await self._work("destroy")
        self.guests.pop(instance["id"], None)

    async def reboot(self, instance: dict[str, Any], reboot_type: str) -> None:
        await self._work("reboot")
        guest = self.guests.get(instance["id"])
        if guest is None:
            if reboot_type != "HARD":
                raise InstanceNotFound(f"Instance {instance['id']} could not be found.")
            self.adopt(instance)
            guest = self.guests[instance["id"]]
        guest.power_state = states.RUNNING
        self._log(guest, f"[ reboot ({reboot_type.lower()}) ]")
        self._boot_log(guest)

    async def _set_power(self, instance: dict[str, Any], action: str, power_state: int) -> None:
        await self._work(action)
        guest = self._guest(instance)
        guest.power_state = power_state

    async def power_off(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "power_off", states.SHUTDOWN)

    async def power_on(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "power_on", states.RUNNING)
        self._boot_log(self._guest(instance))

    async def pause(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "pause", states.PAUSED_POWER)

    async def unpause(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "unpause", states.RUNNING)

    async def suspend(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "suspend", states.SUSPENDED_POWER)

    async def resume(self, instance: dict[str, Any]) -> None:
        await self._set_power(instance, "resume", states.RUNNING)

    async def rescue(self, instance: dict[str, Any], rescue_image: str | None) -> None:
        await self._work("rescue")
        guest = self._guest(instance)
        guest.rescued = True
        guest.power_state = states.RUNNING
        self._log(guest, f"[ rescue boot from image {rescue_image or instance.get('image_ref')} ]")

    async def unrescue(self, instance: dict[str, Any]) -> None:
        await self._work("unrescue")
        guest = self._guest(instance)
        guest.rescued = False
        guest.power_state = states.RUNNING
        self._boot_log(guest)

    async def snapshot(self, instance: dict[str, Any]) -> Iterator[bytes]:
        await self._work("snapshot")
        self._guest(instance)
        header = f"twinstack fake disk of instance {instance['id']}\n".encode()
        return iter([header, b"\0" * 1024])

    async def set_admin_password(self, instance: dict[str, Any], password: str) -> None:
        await self._work("set_admin_password")
        self._guest(instance)

    async def migrate_disk_and_power_off(self, instance: dict[str, Any], dest: str) -> None:
        await self._work("migrate")
        guest = self._guest(instance)
        guest.power_state = states.SHUTDOWN

    async def finish_migration(self, instance: dict[str, Any], power_on: bool) -> None:
        await self._work("finish_migration")
        self.adopt(instance)
        guest = self.guests[instance["id"]]
        guest.power_state = states.RUNNING if power_on else states.SHUTDOWN
        if power_on:
            self._boot_log(guest)

    async def confirm_migration(self, instance: dict[str, Any]) -> None:
        await self._work("confirm_migration")
        self.guests.pop(instance["id"], None)

    async def finish_revert_migration(self, instance: dict[str, Any], power_on: bool) -> None:
        await self._work("revert_migration")
        guest = self.guests.get(instance["id"])
        if guest is None:
            self.adopt(instance)
            guest = self.guests[instance["id"]]
        guest.power_state = states.RUNNING if power_on else states.SHUTDOWN

    async def live_migration(self, instance: dict[str, Any], dest: str) -> None:
        await self._work("live_migration")
        self._guest(instance)
        self.guests.pop(instance["id"], None)

    def get_console_output(self, instance: dict[str, Any]) -> str:
        return "\n".join(self._guest(instance).console) + "\n"

    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        guest = self._guest(instance)
        return {
            "cpu0_time": 17300000000,
            "memory": guest.memory_mb * 1024,
            "vda_read": 262144,
            "vda_read_req": 112,
            "vda_write": 5778432,
            "vda_write_req": 488,
            "vda_errors": -1,
        }
