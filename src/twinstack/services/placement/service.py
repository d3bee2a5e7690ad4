"""The placement service layer: resource providers, inventories, traits, aggregates, allocations.

Other services (nova's scheduler and compute managers) call this class in process
(``cloud.service("placement")``); the HTTP API in ``api/`` is a thin adapter over it. Each
method is synchronous: it checks, changes the in-memory state and writes the database in one
step, so concurrent requests can never over-commit a provider.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from twinstack.core.errors import ApiError, BadRequest, Conflict, NotFound
from twinstack.services.placement import models as m
from twinstack.services.placement.candidate_index import CandidateIndex
from twinstack.services.placement.errors import (
    CANNOT_DELETE_PARENT,
    CONCURRENT_UPDATE,
    DUPLICATE_NAME,
    INVENTORY_INUSE,
    PROVIDER_IN_USE,
    PROVIDER_NOT_FOUND,
)
from twinstack.services.placement.errors import conflict as _conflict
from twinstack.services.placement.state import Consumer, Inventory, Provider
from twinstack.services.placement.taxonomy import TaxonomyMixin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

MAX_INT = 2147483647

# statements of the allocation path, built once (a boot claims, a delete releases)
_DELETE_ALLOCATIONS = delete(m.allocations).where(m.allocations.c.consumer_uuid == bindparam("b_consumer"))
_DELETE_CONSUMER = delete(m.consumers).where(m.consumers.c.uuid == bindparam("b_consumer"))
_INSERT_CONSUMER = insert(m.consumers)
_UPDATE_CONSUMER = (
    update(m.consumers)
    .where(m.consumers.c.uuid == bindparam("b_consumer"))
    .values(
        generation=bindparam("b_generation"),
        project_id=bindparam("b_project_id"),
        user_id=bindparam("b_user_id"),
        consumer_type=bindparam("b_consumer_type"),
        updated_at=bindparam("b_updated_at"),
    )
)
_INSERT_ALLOCATION = insert(m.allocations)
_UPDATE_GENERATION = (
    update(m.providers)
    .where(m.providers.c.uuid == bindparam("b_provider"))
    .values(generation=bindparam("b_generation"))
)


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of plain values (strings, numbers: no dates, JSON or defaults to fill).

    On SQLite straight through the DB-API's ``executemany`` in the same transaction: a
    10,000-host cloud registers about 170,000 inventory and trait rows at its first start, and
    SQLAlchemy's per-row parameter processing would cost more than SQLite does.
    """
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    raw.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


@dataclass(slots=True)
class CandidateQuery:
    """One (unnumbered) request group of ``GET /allocation_candidates``."""

    resources: dict[str, int]
    required: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    any_traits: list[set[str]] = field(default_factory=list)  # each set: at least one (1.39 "in:")
    member_of: list[set[str]] = field(default_factory=list)  # each set: in at least one aggregate
    not_member_of: set[str] = field(default_factory=set)
    in_tree: str | None = None
    root_required: set[str] = field(default_factory=set)
    root_forbidden: set[str] = field(default_factory=set)


class PlacementService(TaxonomyMixin):
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.providers: dict[str, Provider] = {}
        self.by_name: dict[str, str] = {}
        self.consumers: dict[str, Consumer] = {}
        self.custom_traits: set[str] = set()
        self.custom_resource_classes: set[str] = set()
        self.loaded = False
        self.index = CandidateIndex(self.providers)

    # loading ---------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the database into memory (at start)."""
        self.providers.clear()
        self.by_name.clear()
        self.consumers.clear()
        self.index.reset()
        with self.db.begin() as conn:
            for row in conn.execute(select(m.providers)).mappings():
                p = Provider(
                    row["uuid"],
                    row["name"],
                    row["generation"],
                    row["parent_provider_uuid"],
                    row["root_provider_uuid"],
                    row["created_at"],
                    row["updated_at"],
                )
                self.providers[p.uuid] = p
                self.by_name[p.name] = p.uuid
            for row in conn.execute(select(m.inventories)).mappings():
                self.providers[row["provider_uuid"]].inventories[row["resource_class"]] = Inventory(
                    row["total"],
                    row["reserved"],
                    row["min_unit"],
                    row["max_unit"],
                    row["step_size"],
                    row["allocation_ratio"],
                )
            for row in conn.execute(select(m.provider_traits)).mappings():
                self.providers[row["provider_uuid"]].traits.add(row["trait"])
            for row in conn.execute(select(m.provider_aggregates)).mappings():
                self.providers[row["provider_uuid"]].aggregates.add(row["aggregate_uuid"])
            for row in conn.execute(select(m.consumers)).mappings():
                self.consumers[row["uuid"]] = Consumer(
                    row["uuid"],
                    row["project_id"],
                    row["user_id"],
                    row["generation"],
                    row["consumer_type"],
                    row["created_at"],
                    row["updated_at"],
                )
            for row in conn.execute(select(m.allocations)).mappings():
                consumer = self.consumers.get(row["consumer_uuid"])
                provider = self.providers.get(row["provider_uuid"])
                if consumer is None or provider is None:
                    continue
                consumer.allocations.setdefault(row["provider_uuid"], {})[row["resource_class"]] = row["used"]
                provider.used[row["resource_class"]] = (
                    provider.used.get(row["resource_class"], 0) + row["used"]
                )
            self.custom_traits = {r[0] for r in conn.execute(select(m.traits.c.name))}
            self.custom_resource_classes = {r[0] for r in conn.execute(select(m.resource_classes.c.name))}
        self.loaded = True

    # resource providers ----------------------------------------------------------------------
    def get_provider(self, uuid: str) -> Provider:
        provider = self.providers.get(uuid)
        if provider is None:
            raise NotFound(f"No resource provider with uuid {uuid} found", kind=PROVIDER_NOT_FOUND)
        return provider

    def find_provider(self, name: str) -> Provider | None:
        uuid = self.by_name.get(name)
        return self.providers.get(uuid) if uuid else None

    def create_provider(self, name: str, uuid: str | None = None, parent_uuid: str | None = None) -> Provider:
        uuid = uuid or self.cloud.ids.uuid()
        if uuid in self.providers:
            raise _conflict(f"Conflicting resource provider uuid: {uuid} already exists.", DUPLICATE_NAME)
        if name in self.by_name:
            raise _conflict(f"Conflicting resource provider name: {name} already exists.", DUPLICATE_NAME)
        root = uuid
        if parent_uuid is not None:
            parent = self.providers.get(parent_uuid)
            if parent is None:
                raise BadRequest(f"parent provider UUID {parent_uuid} does not exist")
            root = parent.root_uuid
        now = self.cloud.clock.now()
        provider = Provider(uuid, name, 0, parent_uuid, root, now, now)
        with self.db.begin() as conn:
            conn.execute(
                insert(m.providers).values(
                    uuid=uuid,
                    name=name,
                    generation=0,
                    parent_provider_uuid=parent_uuid,
                    root_provider_uuid=root,
                    created_at=now,
                    updated_at=now,
                )
            )
        self.providers[uuid] = provider
        self.by_name[name] = uuid
        self.index.reset()
        return provider

    def ensure_providers(self, specs: list[dict[str, Any]]) -> None:
        """Create many root providers with inventories and traits in one transaction (compute
        hosts at start); existing ones get their inventories refreshed. ``specs`` items:
        ``{"uuid", "name", "inventories": {rc: Inventory}, "traits": set}``."""
        now = self.cloud.clock.now()
        new_rows, inv_rows, trait_rows = [], [], []
        changed: list[tuple[Provider, dict[str, Inventory]]] = []
        for spec in specs:
            p = self.providers.get(spec["uuid"])
            if p is None:
                p = Provider(spec["uuid"], spec["name"], 1, None, spec["uuid"], now, now)
                p.inventories = dict(spec["inventories"])
                p.traits = set(spec.get("traits", ()))
                new_rows.append(
                    {
                        "uuid": p.uuid,
                        "name": p.name,
                        "generation": 1,
                        "parent_provider_uuid": None,
                        "root_provider_uuid": p.uuid,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                inv_rows += [
                    {"provider_uuid": p.uuid, "resource_class": rc, **inv.view()}
                    for rc, inv in p.inventories.items()
                ]
                trait_rows += [{"provider_uuid": p.uuid, "trait": t} for t in p.traits]
                self.providers[p.uuid] = p
                self.by_name[p.name] = p.uuid
                self.index.reset()
            elif {rc: inv.view() for rc, inv in p.inventories.items()} != {
                rc: inv.view() for rc, inv in spec["inventories"].items()
            }:
                changed.append((p, dict(spec["inventories"])))
        with self.db.begin() as conn:
            if new_rows:
                conn.execute(insert(m.providers), new_rows)
            if inv_rows:
                _bulk_insert(conn, m.inventories, inv_rows)
            if trait_rows:
                _bulk_insert(conn, m.provider_traits, trait_rows)
        for p, invs in changed:
            self.set_inventories(p.uuid, None, invs)

    def update_provider(self, uuid: str, name: str, parent_uuid: str | None | object = ...) -> Provider:
        provider = self.get_provider(uuid)
        if name != provider.name and name in self.by_name:
            raise _conflict(f"Conflicting resource provider name: {name} already exists.", DUPLICATE_NAME)
        if parent_uuid is not ... and parent_uuid != provider.parent_uuid:
            if provider.parent_uuid is not None and parent_uuid is None:
                raise BadRequest(
                    "Unable to save resource provider "
                    f"{uuid}: Object action update failed because: un-parenting a provider is "
                    "not currently allowed."
                )
            if provider.parent_uuid is not None:
                raise BadRequest(
                    f"Unable to save resource provider {uuid}: Object action update failed "
                    "because: re-parenting a provider is not currently allowed."
                )
            parent = self.providers.get(str(parent_uuid))
            if parent is None:
                raise BadRequest(f"parent provider UUID {parent_uuid} does not exist")
            if parent.root_uuid == provider.uuid:
                raise BadRequest(
                    f"Unable to save resource provider {uuid}: Object action update failed "
                    "because: creating loop in the provider tree is not allowed."
                )
            provider.parent_uuid = parent.uuid
            provider.root_uuid = parent.root_uuid
        self.by_name.pop(provider.name, None)
        provider.name = name
        self.by_name[name] = uuid
        self.index.reset()
        self._bump(
            provider,
            name=name,
            parent_provider_uuid=provider.parent_uuid,
            root_provider_uuid=provider.root_uuid,
        )
        return provider

    def delete_provider(self, uuid: str) -> None:
        provider = self.get_provider(uuid)
        if any(provider.used.values()):
            raise _conflict(
                f"Unable to delete resource provider {uuid}: Resource provider has allocations.",
                PROVIDER_IN_USE,
            )
        if any(p.parent_uuid == uuid for p in self.providers.values()):
            raise _conflict(
                f"Unable to delete parent resource provider {uuid}: It has child resource providers.",
                CANNOT_DELETE_PARENT,
            )
        with self.db.begin() as conn:
            conn.execute(delete(m.inventories).where(m.inventories.c.provider_uuid == uuid))
            conn.execute(delete(m.provider_traits).where(m.provider_traits.c.provider_uuid == uuid))
            conn.execute(delete(m.provider_aggregates).where(m.provider_aggregates.c.provider_uuid == uuid))
            conn.execute(delete(m.allocations).where(m.allocations.c.provider_uuid == uuid))
            conn.execute(delete(m.providers).where(m.providers.c.uuid == uuid))
        del self.providers[uuid]
        self.by_name.pop(provider.name, None)
        self.index.reset()

    def list_providers(
        self,
        *,
        name: str | None = None,
        uuid: str | None = None,
        member_of: list[set[str]] | None = None,
        not_member_of: set[str] | None = None,
        resources: Mapping[str, int] | None = None,
        in_tree: str | None = None,
        required: set[str] | None = None,
        forbidden: set[str] | None = None,
        any_traits: list[set[str]] | None = None,
    ) -> list[Provider]:
        if in_tree is not None:
            in_tree = self.get_provider(in_tree).root_uuid if in_tree in self.providers else "-"
        result = []
        for p in self.providers.values():
            if name is not None and p.name != name:
                continue
            if uuid is not None and p.uuid != uuid:
                continue
            if in_tree is not None and p.root_uuid != in_tree:
                continue
            if member_of and not all(p.aggregates & group for group in member_of):
                continue
            if not_member_of and p.aggregates & not_member_of:
                continue
            if required and not required <= p.traits:
                continue
            if forbidden and p.traits & forbidden:
                continue
            if any_traits and not all(p.traits & group for group in any_traits):
                continue
            if resources and not self._has_capacity(p, resources):
                continue
            result.append(p)
        return result

    @staticmethod
    def _has_capacity(p: Provider, resources: Mapping[str, int]) -> bool:
        for rc, amount in resources.items():
            inv = p.inventories.get(rc)
            if inv is None or not inv.fits(amount, p.used.get(rc, 0)):
                return False
        return True

    def _bump(self, provider: Provider, **values: Any) -> None:
        provider.generation += 1
        provider.updated_at = self.cloud.clock.now()
        with self.db.begin() as conn:
            conn.execute(
                update(m.providers)
                .where(m.providers.c.uuid == provider.uuid)
                .values(generation=provider.generation, updated_at=provider.updated_at, **values)
            )

    def _check_generation(self, provider: Provider, generation: int | None) -> None:
        if generation is not None and generation != provider.generation:
            raise _conflict(
                f"resource provider generation conflict for {provider.uuid}: "
                f"expected {provider.generation}, got {generation}",
                CONCURRENT_UPDATE,
            )

    # inventories -----------------------------------------------------------------------------
    def _check_inventory(self, provider: Provider, rc: str, inv: Inventory) -> None:
        if not self.resource_class_exists(rc):
            raise BadRequest(
                f"Unknown resource class in inventory for resource provider {provider.uuid}: {rc}",
                kind="placement.undefined_code",
            )
        if inv.reserved > inv.total and inv.total:
            raise BadRequest(
                f"Unable to update inventory for resource provider {provider.uuid}: Invalid "
                f"inventory for '{rc}' on resource provider '{provider.uuid}'. The reserved value "
                "is greater than total."
            )
        if inv.min_unit > inv.max_unit:
            raise BadRequest(
                f"Unable to update inventory for resource provider {provider.uuid}: Invalid "
                f"inventory for '{rc}' on resource provider '{provider.uuid}'. The min_unit "
                "value is greater than max_unit."
            )

    def set_inventories(
        self, uuid: str, generation: int | None, inventories: Mapping[str, Inventory]
    ) -> Provider:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        for rc, inv in inventories.items():
            self._check_inventory(provider, rc, inv)
        for rc in provider.inventories:
            if rc not in inventories and provider.used.get(rc):
                raise _conflict(
                    f"update conflict: Inventory for '{rc}' on resource provider '{uuid}' in use.",
                    INVENTORY_INUSE,
                )
        for rc, inv in inventories.items():
            used = provider.used.get(rc, 0)
            if used > inv.capacity:
                # placement allows it but warns; nova never shrinks below usage on fake hosts
                pass
        with self.db.begin() as conn:
            conn.execute(delete(m.inventories).where(m.inventories.c.provider_uuid == uuid))
            if inventories:
                conn.execute(
                    insert(m.inventories),
                    [
                        {"provider_uuid": uuid, "resource_class": rc, **inv.view()}
                        for rc, inv in inventories.items()
                    ],
                )
        provider.inventories = dict(inventories)
        self.index.changed(uuid)
        self._bump(provider)
        return provider

    def set_inventory(self, uuid: str, rc: str, generation: int | None, inv: Inventory) -> Provider:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        inventories = dict(provider.inventories)
        inventories[rc] = inv
        return self.set_inventories(uuid, None, inventories)

    def add_inventory(self, uuid: str, rc: str, generation: int | None, inv: Inventory) -> Provider:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        if rc in provider.inventories:
            raise _conflict(
                f"Update to inventory failed for resource provider {uuid}: Inventory for {rc} on "
                f"resource provider {uuid} already exists."
            )
        return self.set_inventory(uuid, rc, None, inv)

    def delete_inventory(self, uuid: str, rc: str, generation: int | None = None) -> None:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        if rc not in provider.inventories:
            raise NotFound(f"No inventory of class {rc} found for delete")
        if provider.used.get(rc):
            raise _conflict(
                f"Unable to delete inventory of class {rc}: Inventory for '{rc}' on resource provider "
                f"'{uuid}' in use.",
                INVENTORY_INUSE,
            )
        inventories = dict(provider.inventories)
        del inventories[rc]
        self.set_inventories(uuid, None, inventories)

    # allocations -----------------------------------------------------------------------------
    def get_consumer(self, consumer_uuid: str) -> Consumer | None:
        return self.consumers.get(consumer_uuid)

    def provider_allocations(self, uuid: str) -> dict[str, dict[str, int]]:
        self.get_provider(uuid)
        return {c.uuid: dict(c.allocations[uuid]) for c in self.consumers.values() if uuid in c.allocations}

    def replace_allocations(
        self,
        requests: Mapping[str, Mapping[str, Any]],
        *,
        check_consumer_generation: bool = False,
    ) -> None:
        """Set the allocations of one or more consumers atomically (PUT/POST /allocations).

        ``requests`` maps consumer uuid to ``{"allocations": {rp: {rc: n}}, "project_id",
        "user_id", "consumer_generation", "consumer_type"}``. An empty ``allocations`` removes
        the consumer's allocations. Raises 409 when a provider lacks capacity or a generation
        does not match; nothing changes then.
        """
        # 1. validate everything and compute the usage deltas
        deltas: dict[tuple[str, str], int] = {}
        for consumer_uuid, req in requests.items():
            consumer = self.consumers.get(consumer_uuid)
            if check_consumer_generation:
                expected = consumer.generation if consumer is not None else None
                got = req.get("consumer_generation")
                if expected != got:
                    if expected is None:
                        raise _conflict(
                            f"consumer generation conflict - expected null but got {got}", CONCURRENT_UPDATE
                        )
                    raise _conflict(
                        f"consumer generation conflict - expected {expected} but got {got}", CONCURRENT_UPDATE
                    )
            if consumer is not None:
                for rp, resources in consumer.allocations.items():
                    for rc, amount in resources.items():
                        deltas[(rp, rc)] = deltas.get((rp, rc), 0) - amount
            for rp_uuid, resources in req["allocations"].items():
                provider = self.providers.get(rp_uuid)
                if provider is None:
                    raise BadRequest(f"Allocation for resource provider '{rp_uuid}' that does not exist.")
                for rc, amount in resources.items():
                    if not self.resource_class_exists(rc):
                        raise BadRequest(f"Unable to allocate inventory: No such resource class {rc}.")
                    deltas[(rp_uuid, rc)] = deltas.get((rp_uuid, rc), 0) + amount
        for req in requests.values():
            for rp_uuid, resources in req["allocations"].items():
                provider = self.providers[rp_uuid]
                for rc, amount in resources.items():
                    inv = provider.inventories.get(rc)
                    if inv is None:
                        raise _conflict(
                            f"Unable to allocate inventory: Inventory for '{rc}' on resource provider "
                            f"'{rp_uuid}' invalid."
                        )
                    if amount < inv.min_unit or amount > inv.max_unit or amount % inv.step_size:
                        raise _conflict(
                            f"Unable to allocate inventory: Unable to create allocation for '{rc}' on "
                            f"resource provider '{rp_uuid}'. The requested amount would violate "
                            "inventory constraints."
                        )
                    delta = deltas.get((rp_uuid, rc), 0)
                    if delta > 0 and provider.used.get(rc, 0) + delta > inv.capacity:
                        raise _conflict(
                            f"Unable to allocate inventory: Unable to create allocation for '{rc}' on "
                            f"resource provider '{rp_uuid}'. The requested amount would exceed the "
                            "capacity."
                        )
        # 2. apply
        now = self.cloud.clock.now()
        touched: set[str] = set()
        with self.db.begin() as conn:
            for consumer_uuid, req in requests.items():
                allocs = {rp: dict(res) for rp, res in req["allocations"].items() if res}
                consumer = self.consumers.get(consumer_uuid)
                if consumer is not None:
                    conn.execute(_DELETE_ALLOCATIONS, {"b_consumer": consumer_uuid})
                    touched.update(consumer.allocations)
                if not allocs:
                    if consumer is not None:
                        conn.execute(_DELETE_CONSUMER, {"b_consumer": consumer_uuid})
                        del self.consumers[consumer_uuid]
                    continue
                if consumer is None:
                    consumer = Consumer(
                        consumer_uuid,
                        req.get("project_id") or "",
                        req.get("user_id") or "",
                        0,
                        req.get("consumer_type"),
                        now,
                        now,
                        allocs,
                    )
                    conn.execute(
                        _INSERT_CONSUMER,
                        {
                            "uuid": consumer_uuid,
                            "project_id": consumer.project_id,
                            "user_id": consumer.user_id,
                            "generation": 0,
                            "consumer_type": consumer.consumer_type,
                            "created_at": now,
                            "updated_at": now,
                        },
                    )
                    self.consumers[consumer_uuid] = consumer
                else:
                    consumer.generation += 1
                    consumer.allocations = allocs
                    consumer.updated_at = now
                    if req.get("project_id"):
                        consumer.project_id = req["project_id"]
                    if req.get("user_id"):
                        consumer.user_id = req["user_id"]
                    if req.get("consumer_type"):
                        consumer.consumer_type = req["consumer_type"]
                    conn.execute(
                        _UPDATE_CONSUMER,
                        {
                            "b_consumer": consumer_uuid,
                            "b_generation": consumer.generation,
                            "b_project_id": consumer.project_id,
                            "b_user_id": consumer.user_id,
                            "b_consumer_type": consumer.consumer_type,
                            "b_updated_at": now,
                        },
                    )
                touched.update(allocs)
                conn.execute(
                    _INSERT_ALLOCATION,
                    [
                        {
                            "consumer_uuid": consumer_uuid,
                            "provider_uuid": rp,
                            "resource_class": rc,
                            "used": amount,
                        }
                        for rp, res in allocs.items()
                        for rc, amount in res.items()
                    ],
                )
            for (rp_uuid, rc), delta in deltas.items():
                if delta:
                    provider = self.providers[rp_uuid]
                    provider.used[rc] = provider.used.get(rc, 0) + delta
                    self.index.changed(rp_uuid)
            generations = []
            for rp_uuid in touched:
                provider = self.providers[rp_uuid]
                provider.generation += 1
                generations.append({"b_provider": rp_uuid, "b_generation": provider.generation})
            if generations:
                conn.execute(_UPDATE_GENERATION, generations)

    def delete_allocations(self, consumer_uuid: str) -> None:
        consumer = self.consumers.get(consumer_uuid)
        if consumer is None:
            raise NotFound(f"No allocations for consumer '{consumer_uuid}'")
        self.replace_allocations({consumer_uuid: {"allocations": {}}})

    def claim(
        self, consumer_uuid: str, rp_uuid: str, resources: Mapping[str, int], project_id: str, user_id: str
    ) -> bool:
        """Nova's claim: allocate ``resources`` on one provider for a new consumer. False when full."""
        try:
            self.replace_allocations(
                {
                    consumer_uuid: {
                        "allocations": {rp_uuid: resources},
                        "project_id": project_id,
                        "user_id": user_id,
                        "consumer_type": "INSTANCE",
                    }
                }
            )
        except Conflict:
            return False
        return True

    def move_allocations(self, source: str, target: str, consumer_type: str = "MIGRATION") -> None:
        """Move every allocation of ``source`` to ``target`` (nova's migration consumer swap)."""
        consumer = self.consumers.get(source)
        if consumer is None:
            return
        self.replace_allocations(
            {
                source: {"allocations": {}},
                target: {
                    "allocations": consumer.allocations,
                    "project_id": consumer.project_id,
                    "user_id": consumer.user_id,
                    "consumer_type": consumer_type,
                },
            }
        )

    def usages(
        self, project_id: str, user_id: str | None = None, consumer_type: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """Per consumer type: ``{"consumer_count": n, rc: used}`` for a project (and user)."""
        result: dict[str, dict[str, Any]] = {}
        for c in self.consumers.values():
            if c.project_id != project_id or (user_id and c.user_id != user_id):
                continue
            ctype = c.consumer_type or "unknown"
            if consumer_type and consumer_type not in ("all", ctype):
                continue
            bucket = result.setdefault(ctype, {"consumer_count": 0})
            bucket["consumer_count"] += 1
            for res in c.allocations.values():
                for rc, amount in res.items():
                    bucket[rc] = bucket.get(rc, 0) + amount
        return result

    # allocation candidates ---------------------------------------------------------------------
    def candidates(self, query: CandidateQuery, limit: int | None = None) -> list[Provider]:
        """Providers that can satisfy the whole request group alone, in a stable order (the
        first ``limit``), kept current between asks (``candidate_index.py``).

        Nested and sharing providers are not combined: every twinstack compute node is a root
        provider holding its own VCPU, MEMORY_MB and DISK_GB.
        """
        return self.index.candidates(query, limit)

    def forget_candidates(self) -> None:
        """Drop the kept candidate answers (after changing providers' state directly)."""
        self.index.reset()

    def check_resource_classes(self, names: Iterable[str]) -> None:
        for name in names:
            if not self.resource_class_exists(name):
                raise BadRequest(
                    f"Invalid resource class in resources parameter: No such resource class {name}."
                )


__all__ = ["ApiError", "CandidateQuery", "Inventory", "PlacementService", "MAX_INT"]
