"""The scheduler manager (topic ``scheduler``): ``select_destinations`` as nova's filter scheduler.

1. placement: allocation candidates for the flavor's resources (``max_placement_results``);
2. filters over the candidates' host states, then weighers;
3. for each instance: claim the best host's allocation in placement, consume it in the host
   state, keep the next hosts as alternates.

The host view lives in memory: built once at start, then kept current by the compute hosts'
reports (``compute.node.update``), service changes and aggregate changes on the bus.
"""

from __future__ import annotations

import heapq
import importlib
import logging
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from twinstack.core.registry import registry
from twinstack.services.compute import models as m
from twinstack.services.compute.scheduler import filters as filters_pkg
from twinstack.services.compute.scheduler import weighers as weighers_pkg
from twinstack.services.compute.scheduler.host_state import HostState
from twinstack.services.placement.service import CandidateQuery

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext

LOG = logging.getLogger(__name__)

for _mod in filters_pkg.MODULES:
    importlib.import_module(f"{filters_pkg.__name__}.{_mod}")
for _mod in weighers_pkg.MODULES:
    importlib.import_module(f"{weighers_pkg.__name__}.{_mod}")


class NoValidHost(Exception):
    """No host can take the request."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(f"No valid host was found. {reason}".rstrip())
        self.reason = reason


def resources_for(flavor: dict[str, Any]) -> dict[str, int]:
    """The placement resources a flavor asks for (nova's resources_from_flavor)."""
    disk = flavor.get("root_gb", 0) + flavor.get("ephemeral_gb", 0) + (flavor.get("swap", 0) + 1023) // 1024
    resources = {"VCPU": flavor["vcpus"], "MEMORY_MB": flavor["memory_mb"]}
    if disk:
        resources["DISK_GB"] = disk
    return resources


class SchedulerManager:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.config = cloud.service("compute").config
        self.hosts: dict[str, HostState] = {}
        self.by_rp: dict[str, HostState] = {}
        self.filters = [registry.get("scheduler_filter", n)() for n in filters_pkg.ENABLED_FILTERS]
        self.weighers = [registry.get("scheduler_weigher", n)() for n in weighers_pkg.ENABLED_WEIGHERS]
        self.rng = random.Random(cloud.settings.seed)
        # placement's last candidate list and its host states (see ``_host_states``)
        self._last_candidates: tuple[list[Any], list[HostState]] | None = None
        cloud.bus.listen("compute.node.update", self._on_node_update)
        cloud.bus.listen("compute.service.update", self._on_service_update)
        cloud.bus.listen("compute.aggregates.update", self._on_aggregates_update)

    # host view ---------------------------------------------------------------------------
    def load(self) -> None:
        """Build the host view from the database (once, at start)."""
        with self.cloud.db.begin() as conn:
            nodes = conn.execute(select(m.compute_nodes)).mappings().all()
            services = {
                r["host"]: r
                for r in conn.execute(
                    select(m.services).where(m.services.c.binary == "nova-compute")
                ).mappings()
            }
        self.hosts.clear()
        self._last_candidates = None
        self.by_rp.clear()
        for node in nodes:
            svc = services.get(node["host"])
            state = HostState(
                host=node["host"],
                nodename=node["hypervisor_hostname"],
                rp_uuid=node["uuid"],
                disabled=bool(svc and svc["disabled"]),
                forced_down=bool(svc and svc["forced_down"]),
                vcpus_total=node["vcpus"],
                vcpus_used=node["vcpus_used"],
                total_ram_mb=node["memory_mb"],
                ram_used_mb=node["memory_mb_used"],
                total_disk_gb=node["local_gb"],
                disk_used_gb=node["local_gb_used"],
                num_instances=node["running_vms"],
                cpu_allocation_ratio=node["cpu_allocation_ratio"],
                ram_allocation_ratio=node["ram_allocation_ratio"],
                disk_allocation_ratio=node["disk_allocation_ratio"],
                hypervisor_type=node["hypervisor_type"],
                hypervisor_version=node["hypervisor_version"],
            )
            self.hosts[state.host] = state
            self.by_rp[state.rp_uuid] = state
        self._load_aggregates()

    def _load_aggregates(self) -> None:
        compute = self.cloud.service("compute")
        default_az = compute.config.availability_zone
        for state in self.hosts.values():
            state.aggregates = []
            state.availability_zone = default_az
        for agg in compute.aggregates_with_hosts():
            for host in agg["hosts"]:
                state = self.hosts.get(host)
                if state is None:
                    continue
                state.aggregates.append(agg)
                az = agg["metadata"].get("availability_zone")
                if az:
                    state.availability_zone = az

    def _on_node_update(self, event: str, payload: dict[str, Any]) -> None:
        state = self.hosts.get(payload["host"])
        if state is None:
            state = HostState(
                host=payload["host"],
                nodename=payload["nodename"],
                rp_uuid=payload["rp_uuid"],
                availability_zone=self.config.availability_zone,
            )
            self.hosts[state.host] = state
            self.by_rp[state.rp_uuid] = state
            self._last_candidates = None
        state.update(payload)

    def _on_service_update(self, event: str, payload: dict[str, Any]) -> None:
        state = self.hosts.get(payload["host"])
        if state is not None:
            state.update(payload)

    def _on_aggregates_update(self, event: str, payload: dict[str, Any]) -> None:
        self._load_aggregates()

    # scheduling ----------------------------------------------------------------------------
    def select_destinations(
        self,
        ctx: RequestContext,
        spec: dict[str, Any],
        instance_uuids: list[str],
        return_alternates: bool = True,
    ) -> list[list[dict[str, Any]]]:
        """Pick and claim a host per instance; each answer is [selected, alternates...]."""
        placement = self.cloud.service("placement")
        resources = resources_for(spec["flavor"])
        query = CandidateQuery(resources, forbidden={"COMPUTE_STATUS_DISABLED"})
        for key, value in (spec["flavor"].get("extra_specs") or {}).items():
            if key.startswith("trait:"):
                (query.required if value == "required" else query.forbidden).add(key[6:])
        providers = placement.candidates(query, self.config.max_placement_results)
        hosts = self._host_states(providers)
        hosts = self._restrict(hosts, spec)
        if not hosts:
            raise NoValidHost("There are not enough hosts available.")
        group = spec.get("instance_group")
        selections: list[list[dict[str, Any]]] = []
        claimed: list[str] = []
        for index, instance_uuid in enumerate(instance_uuids):
            candidates = self._filter(hosts, spec)
            # the best few are enough unless claims fail on all of them (then the full order)
            weighed = self._weigh(candidates, spec, top=self.config.max_attempts + 8)
            chosen, alternates = self._claim_best(weighed, instance_uuid, resources, spec)
            if chosen is None and len(weighed) < len(candidates):
                weighed = self._weigh(candidates, spec)
                chosen, alternates = self._claim_best(weighed, instance_uuid, resources, spec)
            if chosen is None:
                for uuid in claimed:
                    placement.replace_allocations({uuid: {"allocations": {}}})
                raise NoValidHost("There are not enough hosts available.")
            claimed.append(instance_uuid)
            chosen.consume(spec)
            if group is not None:
                group["hosts"].append(chosen.host)
            selection = [self._selection(chosen)]
            if return_alternates:
                selection += [self._selection(h) for h in alternates]
            selections.append(selection)
            del index
        return selections

    def _claim_best(
        self, weighed: list[HostState], instance_uuid: str, resources: dict[str, int], spec: dict[str, Any]
    ) -> tuple[HostState | None, list[HostState]]:
        """Claim on the first host that takes it; (that host, the next ones as alternates)."""
        placement = self.cloud.service("placement")
        for pos, host in enumerate(weighed):
            if placement.claim(instance_uuid, host.rp_uuid, resources, spec["project_id"], spec["user_id"]):
                alternates = [h for h in weighed[pos + 1 :] if h is not host][: self.config.max_attempts - 1]
                return host, alternates
        return None, []

    def _host_states(self, providers: list[Any]) -> list[HostState]:
        """The host states of placement's candidates (the same list as last time is common: a
        claim seldom changes which providers are candidates)."""
        last = self._last_candidates
        if last is not None and last[0] == providers:
            return last[1]
        by_rp = self.by_rp
        hosts = [h for h in map(by_rp.get, [p.uuid for p in providers]) if h is not None]
        self._last_candidates = (providers, hosts)
        return hosts

    @staticmethod
    def _selection(host: HostState) -> dict[str, Any]:
        return {
            "host": host.host,
            "nodename": host.nodename,
            "rp_uuid": host.rp_uuid,
            "availability_zone": host.availability_zone,
        }

    def _restrict(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        """Forced hosts (``az:host``), requested destinations and ignored hosts."""
        force_hosts = spec.get("force_hosts") or []
        force_nodes = spec.get("force_nodes") or []
        ignore = set(spec.get("ignore_hosts") or [])
        dest = spec.get("requested_destination") or {}
        if not (force_hosts or force_nodes or ignore or dest.get("host") or dest.get("node")):
            return hosts
        result = []
        for h in hosts:
            if h.host in ignore:
                continue
            if force_hosts and h.host not in force_hosts:
                continue
            if force_nodes and h.nodename not in force_nodes:
                continue
            if dest.get("host") and h.host != dest["host"]:
                continue
            if dest.get("node") and h.nodename != dest["node"]:
                continue
            result.append(h)
        if force_hosts or force_nodes:
            # nova skips the filters for forced hosts
            spec["_skip_filters"] = True
        return result

    def _filter(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        if spec.get("_skip_filters"):
            return hosts
        for f in self.filters:
            if not f.relevant(spec):
                continue
            hosts = f.filter_all(hosts, spec)
            if not hosts:
                break
        return hosts

    def _weigh(self, hosts: list[HostState], spec: dict[str, Any], top: int | None = None) -> list[HostState]:
        """Hosts best first (all of them, or the first ``top`` plus the random subset's size)."""
        if len(hosts) <= 1:
            return hosts
        terms: list[tuple[list[float], float, float]] = []
        for w in self.weighers:
            if not w.relevant(spec):
                continue
            values = w.weigh_all(hosts, spec)
            low, high = min(values), max(values)
            if high == low:
                continue
            terms.append((values, low, w.multiplier / (high - low)))
        totals = _sum_normalised(terms, len(hosts))
        # best first; equal weights keep the candidates' order (sorted's reverse is stable, and
        # nlargest answers as sorted does)
        subset = max(1, self.config.host_subset_size)
        if top is not None and top + subset < len(hosts):
            order = heapq.nlargest(top + subset, range(len(hosts)), key=totals.__getitem__)
        else:
            order = sorted(range(len(hosts)), key=totals.__getitem__, reverse=True)
        if subset > 1:
            top = order[:subset]
            self.rng.shuffle(top)
            order = top + order[subset:]
        return [hosts[i] for i in order]


def _sum_normalised(terms: list[tuple[list[float], float, float]], count: int) -> list[float]:
    """Per host, the sum over weighers of ``(value - low) * scale``, added in the weighers'
    order (one pass for the usual one to three weighers whose values differ)."""
    if not terms:
        return [0.0] * count
    if len(terms) == 1:
        ((a, la, sa),) = terms
        return [(x - la) * sa for x in a]
    if len(terms) == 2:
        (a, la, sa), (b, lb, sb) = terms
        return [(x - la) * sa + (y - lb) * sb for x, y in zip(a, b, strict=True)]
    if len(terms) == 3:
        (a, la, sa), (b, lb, sb), (c, lc, sc) = terms
        return [(x - la) * sa + (y - lb) * sb + (z - lc) * sc for x, y, z in zip(a, b, c, strict=True)]
    totals = [0.0] * count
    for values, low, scale in terms:
        totals = [t + (v - low) * scale for t, v in zip(totals, values, strict=True)]
    return totals
