"""Resource classes, traits and aggregates: the names placement sorts providers by.

A mixin of ``PlacementService`` (``service.py``), which holds the state these methods read and
change; like every placement write, each checks, updates memory and writes the database in one
step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert

from twinstack.core.errors import BadRequest, NotFound
from twinstack.services.placement import models as m
from twinstack.services.placement.errors import conflict as _conflict
from twinstack.services.placement.standards import (
    RESOURCE_CLASSES,
    STANDARD_RESOURCE_CLASSES,
    STANDARD_TRAITS,
)
from twinstack.services.placement.state import Provider

if TYPE_CHECKING:
    from twinstack.services.placement.service import PlacementService as _Base
else:
    _Base = object


class TaxonomyMixin(_Base):
    # resource classes ------------------------------------------------------------------------
    def resource_class_exists(self, name: str) -> bool:
        return name in STANDARD_RESOURCE_CLASSES or name in self.custom_resource_classes

    def list_resource_classes(self) -> list[str]:
        return [*RESOURCE_CLASSES, *sorted(self.custom_resource_classes)]

    def create_resource_class(self, name: str) -> bool:
        """Create a custom class; False when it already exists."""
        if not name.startswith("CUSTOM_"):
            raise BadRequest(f"Resource class name {name} must start with CUSTOM_.")
        if self.resource_class_exists(name):
            return False
        with self.db.begin() as conn:
            conn.execute(insert(m.resource_classes).values(name=name, created_at=self.cloud.clock.now()))
        self.custom_resource_classes.add(name)
        return True

    def delete_resource_class(self, name: str) -> None:
        if name in STANDARD_RESOURCE_CLASSES:
            raise BadRequest(
                f"Cannot delete standard resource class {name}: Standard resource classes cannot be deleted."
            )
        if name not in self.custom_resource_classes:
            raise NotFound(f"No such resource class {name}.")
        if any(name in p.inventories for p in self.providers.values()):
            raise _conflict(f"Unable to delete resource class {name}. Class is in use in inventory.")
        with self.db.begin() as conn:
            conn.execute(delete(m.resource_classes).where(m.resource_classes.c.name == name))
        self.custom_resource_classes.discard(name)

    # traits ----------------------------------------------------------------------------------
    def trait_exists(self, name: str) -> bool:
        return name in STANDARD_TRAITS or name in self.custom_traits

    def list_traits(self) -> list[str]:
        return sorted(STANDARD_TRAITS | self.custom_traits)

    def associated_traits(self) -> set[str]:
        result: set[str] = set()
        for p in self.providers.values():
            result |= p.traits
        return result

    def create_trait(self, name: str) -> bool:
        if not name.startswith("CUSTOM_"):
            raise BadRequest(
                f"The trait {name} is invalid. A valid trait must be no longer than 255 characters, "
                'start with the prefix "CUSTOM_" and use following characters: "A"-"Z", '
                '"0"-"9" and "_"'
            )
        if self.trait_exists(name):
            return False
        with self.db.begin() as conn:
            conn.execute(insert(m.traits).values(name=name, created_at=self.cloud.clock.now()))
        self.custom_traits.add(name)
        return True

    def delete_trait(self, name: str) -> None:
        if name in STANDARD_TRAITS:
            raise BadRequest(f"Cannot delete standard trait {name}.")
        if name not in self.custom_traits:
            raise NotFound(f"No such trait(s): {name}.")
        if any(name in p.traits for p in self.providers.values()):
            raise _conflict(f"The trait {name} is in use by a resource provider.")
        with self.db.begin() as conn:
            conn.execute(delete(m.traits).where(m.traits.c.name == name))
        self.custom_traits.discard(name)

    def set_traits(self, uuid: str, generation: int | None, traits: Iterable[str]) -> Provider:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        wanted = set(traits)
        missing = sorted(t for t in wanted if not self.trait_exists(t))
        if missing:
            raise BadRequest(f"No such trait(s): {', '.join(missing)}")
        with self.db.begin() as conn:
            conn.execute(delete(m.provider_traits).where(m.provider_traits.c.provider_uuid == uuid))
            if wanted:
                conn.execute(insert(m.provider_traits), [{"provider_uuid": uuid, "trait": t} for t in wanted])
        provider.traits = wanted
        self.index.reset()
        self._bump(provider)
        return provider

    # aggregates ------------------------------------------------------------------------------
    def set_aggregates(self, uuid: str, generation: int | None, aggregates: Iterable[str]) -> Provider:
        provider = self.get_provider(uuid)
        self._check_generation(provider, generation)
        wanted = set(aggregates)
        with self.db.begin() as conn:
            conn.execute(delete(m.provider_aggregates).where(m.provider_aggregates.c.provider_uuid == uuid))
            if wanted:
                conn.execute(
                    insert(m.provider_aggregates),
                    [{"provider_uuid": uuid, "aggregate_uuid": a} for a in wanted],
                )
        provider.aggregates = wanted
        self.index.reset()
        self._bump(provider)
        return provider
