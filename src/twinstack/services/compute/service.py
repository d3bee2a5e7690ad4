"""The compute service layer: nova's ``compute/api.py`` (rules, records, quotas, casts).

Other services call this class only (``cloud.service("compute")``); the HTTP API in ``api/``
adapts it. The topics are split over mixins: servers (create, list, delete, update), actions,
flavors, keypairs, server groups, hosts (services, hypervisors, aggregates, zones) and quotas.
At start it builds the fleet: a conductor, a scheduler and one compute manager per host, each
served on the bus.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from twinstack.core.errors import NotFound
from twinstack.services.compute import models as m
from twinstack.services.compute import states
from twinstack.services.compute.actions import ActionsMixin
from twinstack.services.compute.config import ComputeConfig
from twinstack.services.compute.flavors import FlavorsMixin
from twinstack.services.compute.groups import GroupsMixin
from twinstack.services.compute.hosts import HostsMixin
from twinstack.services.compute.instances import InstanceStore
from twinstack.services.compute.keypairs import KeypairsMixin
from twinstack.services.compute.list_cache import ListCache
from twinstack.services.compute.quotas import QuotasMixin
from twinstack.services.compute.rpcapi import ComputeAPI, ConductorAPI
from twinstack.services.compute.servers import ServersMixin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.manager import ComputeManager
    from twinstack.services.compute.scheduler.manager import SchedulerManager

LOG = logging.getLogger(__name__)

CONTROLLER_HOST = "twinstack"


class ComputeService(
    ServersMixin, ActionsMixin, FlavorsMixin, KeypairsMixin, GroupsMixin, HostsMixin, QuotasMixin
):
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.config = ComputeConfig.from_cloud(cloud)
        self.store = InstanceStore(cloud.db, cloud.clock)
        self.list_cache = ListCache(cloud.db)
        self.limits_cache: dict[tuple[str, str | None], dict[str, int]] = {}
        self.services_index: dict[tuple[str | None, str | None], list[dict[str, Any]]] | None = None
        self.compute_rpc = ComputeAPI(cloud)
        self.conductor_rpc = ConductorAPI(cloud)
        self.managers: dict[str, ComputeManager] = {}
        self.scheduler: SchedulerManager | None = None
        self.rng = random.Random(cloud.settings.seed)

    # interface for other services -----------------------------------------------------------
    def get_server(self, ctx: RequestContext, server_id: str) -> dict[str, Any]:
        """The raw instance record; NotFound when missing or another project's (non-admin)."""
        inst = self.store.get(server_id)
        if inst is None or (not ctx.is_admin and inst["project_id"] != ctx.project_id):
            raise NotFound(f"Instance {server_id} could not be found.")
        return inst

    # start -------------------------------------------------------------------------------------
    def host_names(self) -> list[str]:
        return [f"{self.config.host_prefix}{i}" for i in range(1, self.config.hosts + 1)]

    def reserved_ram(self) -> int:
        return self.config.reserved_host_memory_mb

    def bootstrap(self) -> None:
        from twinstack.services.compute.bootstrap import bootstrap

        bootstrap(self.cloud, self)
        self.services_index = None

    async def start_fleet(self) -> None:
        from twinstack.services.compute.conductor import ConductorManager
        from twinstack.services.compute.drivers.fake import FakeDriver
        from twinstack.services.compute.manager import REPORT_USAGE, ComputeManager
        from twinstack.services.compute.scheduler.manager import SchedulerManager

        bus = self.cloud.bus
        self.list_cache.clear()  # host_status follows which hosts have a manager
        self.store.forget_usage()
        self.recover_unscheduled()
        i = m.instances
        with self.db.begin() as conn:
            nodes = conn.execute(
                select(m.compute_nodes.c.host, m.compute_nodes.c.hypervisor_hostname, m.compute_nodes.c.uuid)
            ).all()
            # every host's live instances in one read (not one query per host)
            by_host: dict[str, list[dict[str, Any]]] = {}
            for row in conn.execute(
                select(i).where(i.c.host.is_not(None), i.c.deleted.is_(False))
            ).mappings():
                by_host.setdefault(row["host"], []).append(dict(row))
        pending: list[tuple[str, str, str]] = []
        for host, node, uuid in nodes:
            driver = FakeDriver(host, node, self.config, random.Random(self.rng.random()))
            manager = ComputeManager(self.cloud, host, node, uuid, driver)
            self.managers[host] = manager
            bus.serve(f"compute.{host}", manager)
            work = manager.init_host(by_host.get(host, []), report=False)
            pending += [(host, iid, what) for iid, what in work]
        # the hosts' usage (hypervisors API) in one statement; the scheduler reads it below
        now = self.cloud.clock.now()
        with self.db.begin() as conn:
            conn.execute(
                REPORT_USAGE,
                [{"b_node": mgr.node, "updated_at": now, **mgr.usage()} for mgr in self.managers.values()],
            )
        self.scheduler = SchedulerManager(self.cloud)
        self.scheduler.load()
        bus.serve("scheduler", self.scheduler)
        bus.serve("conductor", ConductorManager(self.cloud))
        from twinstack.core.context import RequestContext

        for host, iid, _what in pending:
            await self.compute_rpc.cast(
                RequestContext.admin_context(), host, "terminate_instance", instance_id=iid
            )

    async def stop_fleet(self) -> None:
        bus = self.cloud.bus
        for host in list(self.managers):
            bus.unserve(f"compute.{host}")
        bus.unserve("scheduler")
        bus.unserve("conductor")
        self.managers.clear()
        self.list_cache.clear()

    def recover_unscheduled(self) -> None:
        """Builds that never reached a host when the cloud stopped end in ERROR (none stay in BUILD)."""
        i = m.instances
        with self.db.begin() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    select(i.c.id).where(
                        i.c.deleted.is_(False), i.c.host.is_(None), i.c.vm_state == states.BUILDING
                    )
                )
            ]
        for iid in ids:
            self.store.set_error(
                iid,
                500,
                "Build of instance was interrupted by a restart of the cloud before a host was chosen.",
                "NoValidHost: interrupted by restart",
            )
            self.release_allocations(iid)

    # shared helpers -------------------------------------------------------------------------------
    def release_allocations(self, instance_id: str) -> None:
        placement = self.cloud.service("placement")
        if placement.get_consumer(instance_id) is not None:
            placement.replace_allocations({instance_id: {"allocations": {}}})

    def finish_delete(self, instance_id: str) -> None:
        """Soft-delete the record and free everything it held (allocations, group membership)."""
        now = self.cloud.clock.now()
        i = m.instances
        with self.db.begin() as conn:
            conn.execute(
                update(i)
                .where(i.c.id == instance_id)
                .values(
                    vm_state=states.DELETED,
                    task_state=None,
                    power_state=states.NOSTATE,
                    deleted=True,
                    deleted_at=now,
                    terminated_at=now,
                    updated_at=now,
                )
            )
            conn.execute(
                m.server_group_members.delete().where(m.server_group_members.c.instance_uuid == instance_id)
            )
            project_id = conn.execute(select(i.c.project_id).where(i.c.id == instance_id)).scalar()
        if project_id is not None:
            self.store.usage_changed(project_id)
        self.release_allocations(instance_id)
        with self.db.begin() as conn:
            migrations = [
                r[0]
                for r in conn.execute(
                    select(m.migrations.c.uuid).where(m.migrations.c.instance_uuid == instance_id)
                )
            ]
        placement = self.cloud.service("placement")
        for mig in migrations:
            if placement.get_consumer(mig) is not None:
                placement.replace_allocations({mig: {"allocations": {}}})
        self.cloud.bus.notify("compute.instance.delete.end", {"instance_id": instance_id})

    def set_migration(self, migration_id: str, **values: Any) -> None:
        values["updated_at"] = self.cloud.clock.now()
        with self.db.begin() as conn:
            conn.execute(update(m.migrations).where(m.migrations.c.uuid == migration_id).values(**values))

    def create_migration(
        self,
        inst: dict[str, Any],
        migration_type: str,
        new_flavor: dict[str, Any] | None = None,
        status: str = "pre-migrating",
        dest: str | None = None,
    ) -> str:
        uuid = self.cloud.ids.uuid()
        now = self.cloud.clock.now()
        with self.db.begin() as conn:
            conn.execute(
                insert(m.migrations).values(
                    uuid=uuid,
                    instance_uuid=inst["id"],
                    source_compute=inst["host"],
                    source_node=inst["node"],
                    dest_compute=dest,
                    dest_node=None,
                    dest_host=dest,
                    old_flavor_id=inst["flavor"]["flavorid"],
                    new_flavor_id=(new_flavor or inst["flavor"])["flavorid"],
                    status=status,
                    migration_type=migration_type,
                    project_id=inst["project_id"],
                    user_id=inst["user_id"],
                    created_at=now,
                    updated_at=now,
                )
            )
        return uuid

    def latest_migration(
        self, instance_id: str, statuses: tuple[str, ...] | None = None
    ) -> dict[str, Any] | None:
        mig = m.migrations
        query = select(mig).where(mig.c.instance_uuid == instance_id).order_by(mig.c.id.desc())
        if statuses:
            query = query.where(mig.c.status.in_(statuses))
        with self.db.begin() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def count_instances(self, project_id: str, user_id: str | None = None) -> dict[str, int]:
        if not user_id:
            return self.store.project_usage(project_id)
        i = m.instances
        query = select(
            func.count(), func.coalesce(func.sum(i.c.vcpus), 0), func.coalesce(func.sum(i.c.memory_mb), 0)
        ).where(i.c.project_id == project_id, i.c.deleted.is_(False))
        if user_id:
            query = query.where(i.c.user_id == user_id)
        with self.db.begin() as conn:
            count, cores, ram = conn.execute(query).one()
        return {"instances": int(count), "cores": int(cores), "ram": int(ram)}
