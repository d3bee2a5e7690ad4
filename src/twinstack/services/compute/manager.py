"""The compute manager: one per host, served on the bus as ``compute.<host>``.

It owns its host's driver and resource tracking: it claims an instance's resources when a build
arrives, walks nova's task states through each action, calls the driver, and reports the host's
usage to the database (hypervisors API) and to the scheduler's host view
(``compute.node.update``). Moves (resize, migrations, shelve, evacuate) are in ``manager_moves``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from twinstack.core.errors import ApiError
from twinstack.services.compute import models as m
from twinstack.services.compute import snapshots, states, volumes
from twinstack.services.compute.drivers.base import ComputeDriver, DriverError
from twinstack.services.compute.instances import InstanceGone, UnexpectedTaskState
from twinstack.services.compute.manager_moves import MovesMixin
from twinstack.services.compute.rpcapi import ConductorAPI

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext

LOG = logging.getLogger(__name__)


# a host's usage in its compute node row (the hypervisors API)
REPORT_USAGE = (
    update(m.compute_nodes)
    .where(m.compute_nodes.c.hypervisor_hostname == bindparam("b_node"))
    .values(
        updated_at=bindparam("updated_at"),
        vcpus_used=bindparam("vcpus_used"),
        memory_mb_used=bindparam("memory_mb_used"),
        local_gb_used=bindparam("local_gb_used"),
        running_vms=bindparam("running_vms"),
    )
)


class BuildAborted(Exception):
    """The build cannot go on anywhere (e.g. networking failed): ERROR without reschedule."""


class ComputeManager(MovesMixin):
    def __init__(self, cloud: Cloud, host: str, node: str, rp_uuid: str, driver: ComputeDriver) -> None:
        self.cloud = cloud
        self.host = host
        self.node = node
        self.rp_uuid = rp_uuid
        self.driver = driver
        self.compute = cloud.service("compute")
        self.store = self.compute.store
        self.conductor = ConductorAPI(cloud)
        # resource tracker: instance id -> flavor, for everything claimed on this host
        self.tracked: dict[str, dict[str, Any]] = {}
        self.failed_builds = 0

    # start and reporting ---------------------------------------------------------------------
    def init_host(
        self, rows: list[dict[str, Any]] | None = None, *, report: bool = True
    ) -> list[tuple[str, str]]:
        """Recover after a restart, as nova's init_host: nothing stays in a transitional state.

        ``rows``: the host's live instances when the caller read them for every host at once;
        ``report=False`` leaves the usage report to the caller (``usage_values``, in bulk).
        Returns (instance id, action) pairs the caller must still run (unfinished deletes).
        """
        i = m.instances
        if rows is None:
            with self.cloud.db.begin() as conn:
                rows = [
                    dict(r)
                    for r in conn.execute(
                        select(i).where(i.c.host == self.host, i.c.deleted.is_(False))
                    ).mappings()
                ]
        pending: list[tuple[str, str]] = []
        for row in rows:
            inst = dict(row)
            iid = inst["id"]
            task = inst["task_state"]
            if inst["vm_state"] == states.BUILDING:
                self.store.set_error(
                    iid,
                    500,
                    "Build of instance was interrupted by a restart of the compute service.",
                    power_state=states.NOSTATE,
                )
                self.cloud.service("compute").release_allocations(iid)
                continue
            if inst["vm_state"] in (states.SHELVED_OFFLOADED,):
                continue
            self.tracked[iid] = inst["flavor"]
            self.driver.adopt(inst)
            if task == states.DELETING:
                pending.append((iid, "terminate"))
                continue
            if task in (states.POWERING_OFF,):
                self.store.save(iid, vm_state=states.STOPPED, task_state=None, power_state=states.SHUTDOWN)
            elif task in (states.POWERING_ON,) or (task or "").startswith("reboot"):
                self.store.save(iid, vm_state=states.ACTIVE, task_state=None, power_state=states.RUNNING)
            elif task is not None:
                self.store.save(iid, task_state=None)
        if report:
            self.report()
        return pending

    def usage(self) -> dict[str, int]:
        vcpus = ram = disk = 0
        for flavor in self.tracked.values():
            vcpus += flavor["vcpus"]
            ram += flavor["memory_mb"]
            disk += flavor["root_gb"] + flavor.get("ephemeral_gb", 0)
        return {
            "vcpus_used": vcpus,
            "memory_mb_used": ram,
            "local_gb_used": disk,
            "running_vms": len(self.tracked),
        }

    def report(self) -> None:
        """Write the host's usage (hypervisors API) and tell the scheduler's host view."""
        used = self.usage()
        with self.cloud.db.begin() as conn:
            conn.execute(REPORT_USAGE, {"b_node": self.node, "updated_at": self.cloud.clock.now(), **used})
        self.cloud.bus.notify(
            "compute.node.update",
            {
                "host": self.host,
                "nodename": self.node,
                "rp_uuid": self.rp_uuid,
                "vcpus_used": used["vcpus_used"],
                "ram_used_mb": used["memory_mb_used"] + self.compute.reserved_ram(),
                "disk_used_gb": used["local_gb_used"],
                "num_instances": used["running_vms"],
                "failed_builds": self.failed_builds,
            },
        )

    def claim(self, inst: dict[str, Any], flavor: dict[str, Any] | None = None) -> None:
        self.tracked[inst["id"]] = flavor or inst["flavor"]
        self.report()

    def drop(self, instance_id: str) -> None:
        if self.tracked.pop(instance_id, None) is not None:
            self.report()

    # helpers ---------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def event(self, ctx: RequestContext, instance_id: str, name: str) -> AsyncIterator[None]:
        self.store.event_start(ctx.request_id, instance_id, name, self.host)
        try:
            yield
        except Exception as exc:
            self.store.event_finish(ctx.request_id, instance_id, name, error=f"{type(exc).__name__}: {exc}")
            raise
        self.store.event_finish(ctx.request_id, instance_id, name)

    def _power(self, instance_id: str) -> int:
        try:
            return self.driver.get_power_state(instance_id)
        except DriverError:
            return states.NOSTATE

    async def _step(self, action: str) -> None:
        delay = self.compute.config.latency_for(action)
        if delay > 0:
            await asyncio.sleep(delay)

    def _network(self) -> Any:
        return self.cloud.service("network")

    def _fail_action(self, instance_id: str, exc: Exception, *, error: bool = False) -> None:
        """Revert the task state and record the fault, as nova's reverts_task_state does."""
        message = str(exc) or type(exc).__name__
        code = exc.status if isinstance(exc, ApiError) else 500
        if error:
            self.store.set_error(
                instance_id,
                code,
                message,
                f"{type(exc).__name__}: {message}",
                power_state=self._power(instance_id),
            )
            return
        try:
            self.store.save(instance_id, task_state=None)
            self.store.add_fault(instance_id, code, message, f"{type(exc).__name__}: {message}")
        except InstanceGone:
            pass

    # boot --------------------------------------------------------------------------------------
    async def build_and_run_instance(
        self,
        ctx: RequestContext,
        instance_id: str,
        node: str,
        request_spec: dict[str, Any],
        alternates: list[dict[str, Any]],
        admin_password: str | None = None,
        requested_networks: Any = None,
        security_groups: list[str] | None = None,
        block_device_mapping: list[dict[str, Any]] | None = None,
    ) -> None:
        event = "compute__do_build_and_run_instance"
        self.store.event_start(ctx.request_id, instance_id, event, self.host)
        try:
            inst = self.store.save(
                instance_id,
                expected_task_state=(states.SCHEDULING, None),
                task_state=None,
                host=self.host,
                node=self.node,
                launched_at=None,
            )
        except (InstanceGone, UnexpectedTaskState):
            self.compute.release_allocations(instance_id)
            self.store.event_finish(ctx.request_id, instance_id, event, error="InstanceNotFound")
            return
        self.claim(inst)
        try:
            network_info = await self._build_networking(ctx, inst, requested_networks, security_groups)
            self.store.set_state(
                instance_id, expected_task_state=states.NETWORKING, task_state=states.BLOCK_DEVICE_MAPPING
            )
            await self._step("block_device_mapping")
            try:
                block_device_mapping = await volumes.prepare_block_devices(
                    self.compute, ctx, instance_id, self.host
                )
            except volumes.BlockDeviceError as exc:
                raise BuildAborted(f"Failure prepping block device. {exc}") from exc
            self.store.set_state(
                instance_id, expected_task_state=states.BLOCK_DEVICE_MAPPING, task_state=states.SPAWNING
            )
            await self.driver.spawn(
                inst,
                request_spec.get("image") or {},
                network_info,
                block_device_mapping or [],
                admin_password,
            )
            self.store.set_state(
                instance_id,
                expected_task_state=states.SPAWNING,
                vm_state=states.ACTIVE,
                task_state=None,
                power_state=states.RUNNING,
                launched_at=self.cloud.clock.now(),
                progress=0,
            )
        except (InstanceGone, UnexpectedTaskState):
            # deleted while building: the delete finishes the cleanup
            await self._abandon_build(ctx, instance_id)
            self.store.event_finish(ctx.request_id, instance_id, event, error="InstanceNotFound")
            return
        except BuildAborted as exc:
            await self._cleanup_failed_build(ctx, instance_id)
            self.store.set_error(
                instance_id,
                500,
                f"Build of instance {instance_id} aborted: {exc}",
                f"BuildAbortException: {exc}",
                power_state=states.NOSTATE,
            )
            self.compute.release_allocations(instance_id)
            self.store.event_finish(ctx.request_id, instance_id, event, error=str(exc))
            return
        except DriverError as exc:
            self.failed_builds += 1
            await self._cleanup_failed_build(ctx, instance_id)
            self.compute.release_allocations(instance_id)
            self.store.event_finish(ctx.request_id, instance_id, event, error=str(exc))
            try:
                self.store.save(instance_id, task_state=states.SCHEDULING, host=None, node=None)
                self.store.add_fault(
                    instance_id,
                    500,
                    f"Build of instance {instance_id} was re-scheduled: {exc}",
                    f"RescheduledException: {exc}",
                )
            except InstanceGone:
                return
            await self.conductor.build_instances(
                ctx,
                instance_id=instance_id,
                request_spec=request_spec,
                alternates=alternates,
                admin_password=admin_password,
                requested_networks=requested_networks,
                security_groups=security_groups,
                block_device_mapping=block_device_mapping,
            )
            return
        self.store.event_finish(ctx.request_id, instance_id, event)
        self.cloud.bus.notify("compute.instance.create.end", {"instance_id": instance_id, "host": self.host})

    async def _build_networking(
        self, ctx: RequestContext, inst: dict[str, Any], requested: Any, security_groups: list[str] | None
    ) -> list[dict[str, Any]]:
        self.store.set_state(inst["id"], expected_task_state=None, task_state=states.NETWORKING)
        network = self._network()
        try:
            ports = network.allocate_for_instance(
                ctx,
                instance_id=inst["id"],
                project_id=inst["project_id"],
                requested=requested,
                security_groups=security_groups,
            )
            if ports:  # nothing allocated (networks "none"), nothing to bind
                ports = network.bind_ports_for_instance(
                    ctx, inst["id"], self.host, inst.get("availability_zone") or "nova"
                )
        except ApiError as exc:
            raise BuildAborted(f"Failed to allocate the network(s), not rescheduling. {exc.message}") from exc
        await self._step("networking")
        return list(ports or [])

    async def _cleanup_failed_build(self, ctx: RequestContext, instance_id: str) -> None:
        with contextlib.suppress(DriverError):
            await self.driver.destroy({"id": instance_id})
        self._deallocate_network(ctx, instance_id)
        await volumes.release_block_devices(self.compute, ctx, instance_id, delete=False)
        self.drop(instance_id)

    async def _abandon_build(self, ctx: RequestContext, instance_id: str) -> None:
        await self._cleanup_failed_build(ctx, instance_id)

    def _deallocate_network(self, ctx: RequestContext, instance_id: str) -> None:
        network = self._network()
        try:
            network.deallocate_for_instance(ctx, instance_id)
        except ApiError:
            LOG.warning("deallocating the ports of %s failed", instance_id, exc_info=True)

    # delete ------------------------------------------------------------------------------------
    async def terminate_instance(self, ctx: RequestContext, instance_id: str) -> None:
        inst = self.store.get(instance_id)
        if inst is None:
            return
        async with self.event(ctx, instance_id, "compute_terminate_instance"):
            with contextlib.suppress(DriverError):
                await self.driver.destroy(inst)
            self._deallocate_network(ctx, instance_id)
            await volumes.release_block_devices(self.compute, ctx, instance_id)
            self.drop(instance_id)
            self.compute.finish_delete(instance_id)

    # power and state actions ---------------------------------------------------------------------
    async def reboot_instance(self, ctx: RequestContext, instance_id: str, reboot_type: str) -> None:
        hard = reboot_type == "HARD"
        pending = states.REBOOT_PENDING_HARD if hard else states.REBOOT_PENDING
        started = states.REBOOT_STARTED_HARD if hard else states.REBOOT_STARTED
        expected = (states.REBOOTING_HARD, states.REBOOTING) if hard else states.REBOOTING
        try:
            inst = self.store.save(instance_id, expected_task_state=expected, task_state=pending)
            async with self.event(ctx, instance_id, "compute_reboot_instance"):
                inst = self.store.save(instance_id, expected_task_state=pending, task_state=started)
                await self.driver.reboot(inst, reboot_type)
                self.store.save(
                    instance_id, vm_state=states.ACTIVE, task_state=None, power_state=states.RUNNING
                )
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc, error=True)

    async def _simple(
        self,
        ctx: RequestContext,
        instance_id: str,
        event: str,
        expected: str,
        call: str,
        vm_state: str,
        power_state: int,
        **extra: Any,
    ) -> None:
        """The common shape: task state set by the API, driver call, then the final states."""
        inst = self.store.get(instance_id)
        if inst is None or inst["task_state"] != expected:
            return
        try:
            async with self.event(ctx, instance_id, event):
                await getattr(self.driver, call)(inst, **extra)
                self.store.save(
                    instance_id,
                    expected_task_state=expected,
                    vm_state=vm_state,
                    task_state=None,
                    power_state=power_state,
                )
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc)

    async def stop_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_stop_instance",
            states.POWERING_OFF,
            "power_off",
            states.STOPPED,
            states.SHUTDOWN,
        )

    async def start_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_start_instance",
            states.POWERING_ON,
            "power_on",
            states.ACTIVE,
            states.RUNNING,
        )

    async def pause_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_pause_instance",
            states.PAUSING,
            "pause",
            states.PAUSED,
            states.PAUSED_POWER,
        )

    async def unpause_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_unpause_instance",
            states.UNPAUSING,
            "unpause",
            states.ACTIVE,
            states.RUNNING,
        )

    async def suspend_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_suspend_instance",
            states.SUSPENDING,
            "suspend",
            states.SUSPENDED,
            states.SUSPENDED_POWER,
        )

    async def resume_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_resume_instance",
            states.RESUMING,
            "resume",
            states.ACTIVE,
            states.RUNNING,
        )

    async def rescue_instance(
        self, ctx: RequestContext, instance_id: str, rescue_image: str | None = None
    ) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_rescue_instance",
            states.RESCUING,
            "rescue",
            states.RESCUED,
            states.RUNNING,
            rescue_image=rescue_image,
        )

    async def unrescue_instance(self, ctx: RequestContext, instance_id: str) -> None:
        await self._simple(
            ctx,
            instance_id,
            "compute_unrescue_instance",
            states.UNRESCUING,
            "unrescue",
            states.ACTIVE,
            states.RUNNING,
        )

    async def set_admin_password(self, ctx: RequestContext, instance_id: str, password: str) -> None:
        inst = self.store.get(instance_id)
        if inst is None:
            return
        try:
            async with self.event(ctx, instance_id, "compute_set_admin_password"):
                await self.driver.set_admin_password(inst, password)
                self.store.save(instance_id, expected_task_state=states.UPDATING_PASSWORD, task_state=None)
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc)

    async def rebuild_instance(
        self,
        ctx: RequestContext,
        instance_id: str,
        image_ref: str,
        evacuate: bool = False,
        migration_id: str | None = None,
        node: str | None = None,
        admin_password: str | None = None,
        image_meta: dict[str, Any] | None = None,
        preserve_power: bool = False,
    ) -> None:
        """Rebuild in place, or (evacuate) re-create the guest here after its host went down."""
        inst = self.store.get(instance_id)
        if inst is None:
            return
        try:
            async with self.event(ctx, instance_id, "compute_rebuild_instance"):
                if evacuate:
                    inst = self.store.save(instance_id, host=self.host, node=self.node)
                    self.claim(inst)
                else:
                    with contextlib.suppress(DriverError):
                        await self.driver.destroy(inst)
                inst = self.store.save(
                    instance_id,
                    expected_task_state=states.REBUILDING,
                    task_state=states.REBUILD_BLOCK_DEVICE_MAPPING,
                )
                await self._step("block_device_mapping")
                inst = self.store.save(
                    instance_id,
                    expected_task_state=states.REBUILD_BLOCK_DEVICE_MAPPING,
                    task_state=states.REBUILD_SPAWNING,
                )
                was_stopped = inst["vm_state"] == states.STOPPED
                network = self._network()
                if evacuate:
                    with contextlib.suppress(ApiError):
                        network.bind_ports_for_instance(
                            ctx, instance_id, self.host, inst.get("availability_zone") or "nova"
                        )
                await self.driver.spawn(
                    inst,
                    image_meta or inst.get("image_meta") or {},
                    [],
                    [],
                    admin_password,
                    power_on=not was_stopped,
                )
                self.store.save(
                    instance_id,
                    expected_task_state=states.REBUILD_SPAWNING,
                    vm_state=states.STOPPED if was_stopped else states.ACTIVE,
                    task_state=None,
                    power_state=states.SHUTDOWN if was_stopped else states.RUNNING,
                    launched_at=self.cloud.clock.now(),
                )
                if evacuate and migration_id:
                    placement = self.cloud.service("placement")
                    consumer = placement.get_consumer(migration_id)
                    if consumer is not None:
                        # the allocation on the dead source host goes with the migration
                        placement.replace_allocations({migration_id: {"allocations": {}}})
                    self.compute.set_migration(migration_id, status="done")
                    await self._claim_placement(inst)
        except (InstanceGone, UnexpectedTaskState):
            return
        except DriverError as exc:
            self._fail_action(instance_id, exc, error=True)

    async def _claim_placement(self, inst: dict[str, Any], flavor: dict[str, Any] | None = None) -> None:
        from twinstack.services.compute.scheduler.manager import resources_for

        placement = self.cloud.service("placement")
        placement.replace_allocations(
            {
                inst["id"]: {
                    "allocations": {self.rp_uuid: resources_for(flavor or inst["flavor"])},
                    "project_id": inst["project_id"],
                    "user_id": inst["user_id"],
                    "consumer_type": "INSTANCE",
                }
            }
        )

    async def snapshot_instance(self, ctx: RequestContext, instance_id: str, image_id: str) -> None:
        await snapshots.snapshot_instance(self, ctx, instance_id, image_id)

    async def _upload(
        self,
        ctx: RequestContext,
        image: Any,
        image_id: str,
        instance_id: str,
        chunks: Any,
        uploading: str,
        pending: str,
    ) -> None:
        self.store.save(instance_id, expected_task_state=pending, task_state=uploading)
        await image.upload_image_data(ctx, image_id, chunks)

    @staticmethod
    def _kill_image(image: Any, image_id: str) -> None:
        with contextlib.suppress(Exception):
            image.set_image_status(image_id, "killed")

    # queries (bus calls) --------------------------------------------------------------------------
    def get_console_output(self, ctx: RequestContext, instance_id: str, length: int | None = None) -> str:
        inst = self.store.get(instance_id)
        if inst is None:
            return ""
        text = self.driver.get_console_output(inst)
        if length is not None:  # nova's _tail_log
            text = "\n".join(text.split("\n")[-length:]) if length > 0 else ""
        return text

    def get_diagnostics(self, ctx: RequestContext, instance_id: str) -> dict[str, Any]:
        inst = self.store.get(instance_id)
        return self.driver.get_diagnostics(inst) if inst else {}
