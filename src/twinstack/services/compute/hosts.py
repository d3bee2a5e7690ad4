"""Hosts: os-services, hypervisors, host aggregates and availability zones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update

from twinstack.core.errors import BadRequest, Conflict, NotFound
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.services.compute.service import ComputeService

INTERNAL_ZONE = "internal"


class HostsMixin:
    # services ---------------------------------------------------------------------------------
    def list_services(
        self: ComputeService, host: str | None = None, binary: str | None = None
    ) -> list[dict[str, Any]]:
        """Services by host and binary, in id order. All of them are read at once and kept
        between writes (every admin server view shows its host's status), which all go through
        ``update_service`` and ``delete_service``."""
        index = self.services_index
        if index is None:
            index = {}
            with self.db.begin() as conn:
                for row in conn.execute(select(m.services).order_by(m.services.c.id)).mappings():
                    r = dict(row)
                    for key in (
                        (r["host"], r["binary"]),
                        (r["host"], None),
                        (None, r["binary"]),
                        (None, None),
                    ):
                        index.setdefault(key, []).append(r)
            self.services_index = index
        return [dict(r) for r in index.get((host or None, binary or None), ())]

    def get_service(self: ComputeService, service_id: str) -> dict[str, Any]:
        s = m.services
        cond = s.c.uuid == service_id if not service_id.isdigit() else s.c.id == int(service_id)
        with self.db.begin() as conn:
            row = conn.execute(select(s).where(cond)).mappings().first()
        if row is None:
            raise NotFound(f"Service {service_id} could not be found.")
        return dict(row)

    def find_service(self: ComputeService, host: str, binary: str) -> dict[str, Any]:
        rows = self.list_services(host, binary)
        if not rows:
            raise (
                NotFound(f"Service {binary} on host {host} could not be found.")
                if binary == "nova-compute"
                else NotFound(f"Service {binary} on host {host} could not be found.")
            )
        return rows[0]

    def update_service(self: ComputeService, service: dict[str, Any], **values: Any) -> dict[str, Any]:
        values["updated_at"] = self.cloud.clock.now()
        self.services_index = None
        with self.db.begin() as conn:
            conn.execute(update(m.services).where(m.services.c.id == service["id"]).values(**values))
        new = self.get_service(str(service["id"]))
        if new["binary"] == "nova-compute":
            self._sync_disabled_trait(new["host"], bool(new["disabled"]))
            self.cloud.bus.notify(
                "compute.service.update",
                {
                    "host": new["host"],
                    "disabled": bool(new["disabled"]),
                    "forced_down": bool(new["forced_down"]),
                },
            )
        return new

    def _sync_disabled_trait(self: ComputeService, host: str, disabled: bool) -> None:
        placement = self.cloud.service("placement")
        for node in self.list_nodes(host=host):
            provider = placement.providers.get(node["uuid"])
            if provider is None:
                continue
            traits = set(provider.traits)
            if disabled == ("COMPUTE_STATUS_DISABLED" in traits):
                continue
            traits ^= {"COMPUTE_STATUS_DISABLED"}
            placement.set_traits(provider.uuid, None, traits)

    def delete_service(self: ComputeService, service: dict[str, Any]) -> None:
        if service["binary"] == "nova-compute":
            i = m.instances
            with self.db.begin() as conn:
                busy = conn.execute(
                    select(func.count()).where(i.c.host == service["host"], i.c.deleted.is_(False))
                ).scalar()
            if busy:
                raise Conflict(
                    "Unable to delete compute service that is hosting instances. Migrate or delete the "
                    "instances first and try again."
                )
        self.services_index = None
        with self.db.begin() as conn:
            conn.execute(delete(m.services).where(m.services.c.id == service["id"]))

    def service_is_up(self: ComputeService, service: dict[str, Any]) -> bool:
        if service["forced_down"]:
            return False
        if service["binary"] == "nova-compute":
            return service["host"] in self.managers
        return True

    # hypervisors (compute nodes) ---------------------------------------------------------------
    def list_nodes(
        self: ComputeService,
        host: str | None = None,
        hostname_pattern: str | None = None,
    ) -> list[dict[str, Any]]:
        n = m.compute_nodes
        query = select(n).order_by(n.c.id)
        if host:
            query = query.where(n.c.host == host)
        if hostname_pattern:
            query = query.where(n.c.hypervisor_hostname.like(f"%{hostname_pattern}%"))
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def get_node(self: ComputeService, node_id: str) -> dict[str, Any]:
        n = m.compute_nodes
        cond = n.c.id == int(node_id) if node_id.isdigit() else n.c.uuid == node_id
        with self.db.begin() as conn:
            row = conn.execute(select(n).where(cond)).mappings().first()
        if row is None:
            raise NotFound(f"Hypervisor with ID '{node_id}' could not be found.")
        return dict(row)

    def node_servers(self: ComputeService, node: dict[str, Any]) -> list[dict[str, str]]:
        i = m.instances
        with self.db.begin() as conn:
            rows = conn.execute(
                select(i.c.id, i.c.display_name)
                .where(i.c.node == node["hypervisor_hostname"], i.c.deleted.is_(False))
                .order_by(i.c.created_at)
            )
            return [{"uuid": r.id, "name": f"instance-{r.id[:8]}"} for r in rows]

    # aggregates ----------------------------------------------------------------------------------
    def aggregates_with_hosts(self: ComputeService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            aggs = [
                dict(r) for r in conn.execute(select(m.aggregates).order_by(m.aggregates.c.id)).mappings()
            ]
            hosts: dict[int, list[str]] = {}
            for agg_id, host in conn.execute(
                select(m.aggregate_hosts.c.aggregate_id, m.aggregate_hosts.c.host)
            ):
                hosts.setdefault(agg_id, []).append(host)
        for agg in aggs:
            agg["hosts"] = hosts.get(agg["id"], [])
        return aggs

    def get_aggregate(self: ComputeService, aggregate_id: str) -> dict[str, Any]:
        for agg in self.aggregates_with_hosts():
            if str(agg["id"]) == str(aggregate_id) or agg["uuid"] == aggregate_id:
                return agg
        raise NotFound(f"Aggregate {aggregate_id} could not be found.")

    def create_aggregate(self: ComputeService, name: str, availability_zone: str | None) -> dict[str, Any]:
        now = self.cloud.clock.now()
        with self.db.begin() as conn:
            if conn.execute(select(m.aggregates.c.id).where(m.aggregates.c.name == name)).first():
                raise Conflict(f"Aggregate {name} already exists.")
            meta = {"availability_zone": availability_zone} if availability_zone else {}
            result = conn.execute(
                insert(m.aggregates).values(
                    uuid=self.cloud.ids.uuid(), name=name, metadata=meta, created_at=now
                )
            )
            agg_id = result.inserted_primary_key[0]
        self._aggregates_changed()
        return self.get_aggregate(str(agg_id))

    def update_aggregate(
        self: ComputeService, aggregate_id: str, name: str | None = None, availability_zone: Any = ...
    ) -> dict[str, Any]:
        agg = self.get_aggregate(aggregate_id)
        values: dict[str, Any] = {"updated_at": self.cloud.clock.now()}
        if name is not None and name != agg["name"]:
            with self.db.begin() as conn:
                if conn.execute(select(m.aggregates.c.id).where(m.aggregates.c.name == name)).first():
                    raise Conflict(f"Aggregate {name} already exists.")
            values["name"] = name
        if availability_zone is not ...:
            meta = dict(agg["metadata"])
            if availability_zone:
                self._check_az_hosts(agg, availability_zone)
                meta["availability_zone"] = availability_zone
            else:
                meta.pop("availability_zone", None)
            values["metadata"] = meta
        with self.db.begin() as conn:
            conn.execute(update(m.aggregates).where(m.aggregates.c.id == agg["id"]).values(**values))
        self._aggregates_changed()
        return self.get_aggregate(str(agg["id"]))

    def delete_aggregate(self: ComputeService, aggregate_id: str) -> None:
        agg = self.get_aggregate(aggregate_id)
        if agg["hosts"]:
            raise BadRequest(
                f"Cannot remove host from aggregate {agg['id']}. Reason: Host aggregate is not empty."
            )
        with self.db.begin() as conn:
            conn.execute(delete(m.aggregates).where(m.aggregates.c.id == agg["id"]))
        self._aggregates_changed()

    def _check_az_hosts(
        self: ComputeService, agg: dict[str, Any], az: str, extra_host: str | None = None
    ) -> None:
        hosts = set(agg["hosts"]) | ({extra_host} if extra_host else set())
        for other in self.aggregates_with_hosts():
            if other["id"] == agg["id"]:
                continue
            other_az = other["metadata"].get("availability_zone")
            if other_az and other_az != az and hosts & set(other["hosts"]):
                raise BadRequest(
                    f"Cannot add host to aggregate {agg['id']}. Reason: One or more hosts already in "
                    f"availability zone(s) ['{other_az}']."
                )

    def add_aggregate_host(self: ComputeService, aggregate_id: str, host: str) -> dict[str, Any]:
        agg = self.get_aggregate(aggregate_id)
        if not self.list_services(host, "nova-compute"):
            raise NotFound(f"Compute host {host} could not be found.")
        if host in agg["hosts"]:
            raise Conflict(f"Aggregate {agg['id']} already has host {host}.")
        az = agg["metadata"].get("availability_zone")
        if az:
            self._check_az_hosts(agg, az, host)
        with self.db.begin() as conn:
            conn.execute(insert(m.aggregate_hosts).values(aggregate_id=agg["id"], host=host))
        self._mirror_placement_aggregate(host)
        self._aggregates_changed()
        return self.get_aggregate(str(agg["id"]))

    def remove_aggregate_host(self: ComputeService, aggregate_id: str, host: str) -> dict[str, Any]:
        agg = self.get_aggregate(aggregate_id)
        if host not in agg["hosts"]:
            raise NotFound(f"Cannot remove host {host} in aggregate {agg['id']}")
        with self.db.begin() as conn:
            conn.execute(
                delete(m.aggregate_hosts).where(
                    m.aggregate_hosts.c.aggregate_id == agg["id"], m.aggregate_hosts.c.host == host
                )
            )
        self._mirror_placement_aggregate(host)
        self._aggregates_changed()
        return self.get_aggregate(str(agg["id"]))

    def set_aggregate_metadata(
        self: ComputeService, aggregate_id: str, metadata: dict[str, Any]
    ) -> dict[str, Any]:
        agg = self.get_aggregate(aggregate_id)
        meta = dict(agg["metadata"])
        for key, value in metadata.items():
            if value is None:
                meta.pop(key, None)
            else:
                if key == "availability_zone":
                    self._check_az_hosts(agg, value)
                meta[key] = value
        with self.db.begin() as conn:
            conn.execute(
                update(m.aggregates)
                .where(m.aggregates.c.id == agg["id"])
                .values(metadata=meta, updated_at=self.cloud.clock.now())
            )
        self._aggregates_changed()
        return self.get_aggregate(str(agg["id"]))

    def _mirror_placement_aggregate(self: ComputeService, host: str) -> None:
        """Nova mirrors host aggregates into placement aggregates of the host's provider."""
        placement = self.cloud.service("placement")
        uuids = {a["uuid"] for a in self.aggregates_with_hosts() if host in a["hosts"]}
        for node in self.list_nodes(host=host):
            if node["uuid"] in placement.providers:
                placement.set_aggregates(node["uuid"], None, uuids)

    def _aggregates_changed(self: ComputeService) -> None:
        self.cloud.bus.notify("compute.aggregates.update", {})

    # availability zones -------------------------------------------------------------------------
    def host_zones(self: ComputeService) -> dict[str, str]:
        zones = {
            h: self.config.availability_zone
            for h in (s["host"] for s in self.list_services(binary="nova-compute"))
        }
        for agg in self.aggregates_with_hosts():
            az = agg["metadata"].get("availability_zone")
            if az:
                for host in agg["hosts"]:
                    if host in zones:
                        zones[host] = az
        return zones

    def availability_zones(self: ComputeService) -> set[str]:
        return set(self.host_zones().values())
