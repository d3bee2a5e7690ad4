"""The conductor (topic ``conductor``): asks the scheduler, then casts to the chosen host.

Flows: ``schedule_and_build_instances`` (boot), ``build_instances`` (reschedule to an
alternate after a failed spawn), ``migrate_server`` (resize and cold migration),
``live_migrate_instance``, ``unshelve_instance`` and ``rebuild_instance`` (evacuate).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from twinstack.services.compute import models as m
from twinstack.services.compute import states
from twinstack.services.compute.instances import InstanceGone
from twinstack.services.compute.rpcapi import ComputeAPI, SchedulerAPI
from twinstack.services.compute.scheduler.manager import NoValidHost, resources_for

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext

LOG = logging.getLogger(__name__)

MAX_RETRIES_MSG = (
    "Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
    "failures for instance {}."
)


class ConductorManager:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.compute = cloud.service("compute")
        self.store = self.compute.store
        self.scheduler = SchedulerAPI(cloud)
        self.compute_rpc = ComputeAPI(cloud)

    # boot ----------------------------------------------------------------------------------
    async def schedule_and_build_instances(
        self, ctx: RequestContext, instance_ids: list[str], request_spec: dict[str, Any], **build_args: Any
    ) -> None:
        for iid in instance_ids:
            self.store.event_start(ctx.request_id, iid, "conductor_schedule_and_build_instances", None)
        self.compute.refresh_group_hosts(request_spec)
        try:
            selections = await self.scheduler.select_destinations(
                ctx, spec=request_spec, instance_uuids=instance_ids
            )
        except NoValidHost as exc:
            for iid in instance_ids:
                self.store.set_error(iid, 500, str(exc), _details(exc))
                self.store.event_finish(
                    ctx.request_id, iid, "conductor_schedule_and_build_instances", error=str(exc)
                )
            return
        for iid, selection in zip(instance_ids, selections, strict=True):
            self.store.event_finish(ctx.request_id, iid, "conductor_schedule_and_build_instances")
            chosen, alternates = selection[0], selection[1:]
            try:
                self.store.set_state(iid, availability_zone=chosen["availability_zone"])
            except InstanceGone:
                self.compute.release_allocations(iid)
                continue
            await self.compute_rpc.cast(
                ctx,
                chosen["host"],
                "build_and_run_instance",
                instance_id=iid,
                node=chosen["nodename"],
                request_spec=request_spec,
                alternates=alternates,
                **build_args,
            )

    async def build_instances(
        self,
        ctx: RequestContext,
        instance_id: str,
        request_spec: dict[str, Any],
        alternates: list[dict[str, Any]],
        **build_args: Any,
    ) -> None:
        """Reschedule: claim the first alternate that still has room, else ERROR."""
        placement = self.cloud.service("placement")
        resources = resources_for(request_spec["flavor"])
        inst = self.store.get(instance_id)
        if inst is None:
            return
        while alternates:
            chosen, alternates = alternates[0], alternates[1:]
            if placement.claim(
                instance_id, chosen["rp_uuid"], resources, inst["project_id"], inst["user_id"]
            ):
                try:
                    self.store.save(
                        instance_id,
                        availability_zone=chosen["availability_zone"],
                        host=None,
                        node=None,
                        task_state=states.SCHEDULING,
                    )
                except InstanceGone:
                    self.compute.release_allocations(instance_id)
                    return
                await self.compute_rpc.cast(
                    ctx,
                    chosen["host"],
                    "build_and_run_instance",
                    instance_id=instance_id,
                    node=chosen["nodename"],
                    request_spec=request_spec,
                    alternates=alternates,
                    **build_args,
                )
                return
        message = MAX_RETRIES_MSG.format(instance_id)
        self.store.set_error(
            instance_id, 500, message, f"{message}\n  (build_instances, no alternate host left)"
        )

    # move operations -------------------------------------------------------------------------
    def _spec_for(self, inst: dict[str, Any], flavor: dict[str, Any] | None = None) -> dict[str, Any]:
        spec = {
            "project_id": inst["project_id"],
            "user_id": inst["user_id"],
            "flavor": flavor or inst["flavor"],
            "image": inst.get("image_meta") or {},
            "num_instances": 1,
            "availability_zone": inst.get("pinned_availability_zone"),
            "scheduler_hints": inst.get("scheduler_hints") or {},
        }
        spec["instance_group"] = self.compute.group_for_instance(inst["id"])
        self.compute.refresh_group_hosts(spec, exclude=inst["id"])
        return spec

    async def _select(
        self, ctx: RequestContext, inst: dict[str, Any], spec: dict[str, Any], consumer: str
    ) -> dict[str, Any] | None:
        try:
            selections = await self.scheduler.select_destinations(
                ctx, spec=spec, instance_uuids=[consumer], return_alternates=False
            )
        except NoValidHost as exc:
            self.store.add_fault(inst["id"], 500, str(exc), _details(exc))
            return None
        return selections[0][0]

    async def migrate_server(
        self,
        ctx: RequestContext,
        instance_id: str,
        migration_id: str,
        new_flavor: dict[str, Any],
        host: str | None = None,
        allow_same_host: bool = True,
    ) -> None:
        """Resize or cold-migrate: schedule a destination, move the old allocation to the migration."""
        inst = self.store.get(instance_id)
        if inst is None:
            return
        placement = self.cloud.service("placement")
        spec = self._spec_for(inst, new_flavor)
        if not allow_same_host:
            spec["ignore_hosts"] = [inst["host"]]
        if host:
            spec["requested_destination"] = {"host": host}
        # the instance's allocation on the source now belongs to the migration
        placement.move_allocations(instance_id, migration_id)
        dest = await self._select(ctx, inst, spec, instance_id)
        if dest is None:
            placement.move_allocations(migration_id, instance_id, consumer_type="INSTANCE")
            self._set_migration(migration_id, status="error")
            self.store.save(instance_id, task_state=None)
            self.store.event_finish(
                ctx.request_id, instance_id, "conductor_migrate_server", error="NoValidHost"
            )
            return
        self._set_migration(
            migration_id,
            dest_compute=dest["host"],
            dest_node=dest["nodename"],
            dest_host=dest["host"],
            status="pre-migrating",
        )
        await self.compute_rpc.cast(
            ctx,
            dest["host"],
            "prep_resize",
            instance_id=instance_id,
            migration_id=migration_id,
            new_flavor=new_flavor,
            node=dest["nodename"],
        )

    async def live_migrate_instance(
        self, ctx: RequestContext, instance_id: str, migration_id: str, host: str | None = None
    ) -> None:
        inst = self.store.get(instance_id)
        if inst is None:
            return
        dest = await self._schedule_move(ctx, inst, instance_id, migration_id, host, status="preparing")
        if dest is None:
            return
        await self.compute_rpc.cast(
            ctx,
            inst["host"],
            "live_migration",
            instance_id=instance_id,
            migration_id=migration_id,
            dest=dest["host"],
            dest_node=dest["nodename"],
        )

    async def unshelve_instance(
        self,
        ctx: RequestContext,
        instance_id: str,
        availability_zone: str | None = None,
        host: str | None = None,
    ) -> None:
        inst = self.store.get(instance_id)
        if inst is None:
            return
        spec = self._spec_for(inst)
        if availability_zone:
            spec["availability_zone"] = availability_zone
        if host:
            spec["requested_destination"] = {"host": host}
        dest = await self._select(ctx, inst, spec, instance_id)
        if dest is None:
            self.store.save(instance_id, task_state=None)
            self.store.event_finish(
                ctx.request_id, instance_id, "compute_unshelve_instance", error="NoValidHost"
            )
            return
        self.store.save(instance_id, availability_zone=dest["availability_zone"])
        await self.compute_rpc.cast(
            ctx, dest["host"], "unshelve_instance", instance_id=instance_id, node=dest["nodename"]
        )

    async def rebuild_instance(
        self, ctx: RequestContext, instance_id: str, migration_id: str, host: str | None = None
    ) -> None:
        """Evacuate from a down host: schedule elsewhere and rebuild there."""
        inst = self.store.get(instance_id)
        if inst is None:
            return
        dest = await self._schedule_move(ctx, inst, instance_id, migration_id, host, status="accepted")
        if dest is None:
            return
        await self.compute_rpc.cast(
            ctx,
            dest["host"],
            "rebuild_instance",
            instance_id=instance_id,
            image_ref=inst["image_ref"],
            evacuate=True,
            migration_id=migration_id,
            node=dest["nodename"],
        )

    async def _schedule_move(
        self,
        ctx: RequestContext,
        inst: dict[str, Any],
        instance_id: str,
        migration_id: str,
        host: str | None,
        *,
        status: str,
    ) -> dict[str, Any] | None:
        """Pick a destination away from the instance's host for a move (live migration, evacuate).

        The instance's allocation moves to the migration consumer while scheduling, as nova does;
        with no valid host it moves back, the migration errors and the task ends.
        """
        placement = self.cloud.service("placement")
        spec = self._spec_for(inst)
        spec["ignore_hosts"] = [inst["host"]]
        if host:
            spec["requested_destination"] = {"host": host}
        placement.move_allocations(instance_id, migration_id)
        dest = await self._select(ctx, inst, spec, instance_id)
        if dest is None:
            placement.move_allocations(migration_id, instance_id, consumer_type="INSTANCE")
            self._set_migration(migration_id, status="error")
            self.store.save(instance_id, task_state=None)
            return None
        self._set_migration(
            migration_id,
            dest_compute=dest["host"],
            dest_node=dest["nodename"],
            dest_host=dest["host"],
            status=status,
        )
        return dest  # type: ignore[no-any-return]

    def _set_migration(self, migration_id: str, **values: Any) -> None:
        values["updated_at"] = self.cloud.clock.now()
        with self.cloud.db.begin() as conn:
            conn.execute(update(m.migrations).where(m.migrations.c.uuid == migration_id).values(**values))

    def get_migration(self, migration_id: str) -> dict[str, Any] | None:
        with self.cloud.db.begin() as conn:
            row = (
                conn.execute(select(m.migrations).where(m.migrations.c.uuid == migration_id))
                .mappings()
                .first()
            )
        return dict(row) if row else None


def _details(exc: Exception) -> str:
    return (
        f'Traceback (most recent call last):\n  File "nova/conductor/manager.py", in '
        f"schedule_and_build_instances\n{type(exc).__module__}.{type(exc).__name__}: {exc}\n"
    )
