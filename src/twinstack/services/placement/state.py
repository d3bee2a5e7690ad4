"""Placement's working state in memory: providers, inventories, usages, consumers.

Every change goes to the database too (write-through, in the same synchronous step), so a
restart reloads exactly this. Reads (allocation candidates above all) never touch the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Inventory:
    total: int
    reserved: int = 0
    min_unit: int = 1
    max_unit: int = 2147483647
    step_size: int = 1
    allocation_ratio: float = 1.0
    # (total - reserved) * allocation_ratio, as allocation candidates compare usage with it
    limit: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        self.limit = (self.total - self.reserved) * self.allocation_ratio

    @property
    def capacity(self) -> int:
        return int((self.total - self.reserved) * self.allocation_ratio)

    def view(self) -> dict[str, int | float]:
        return {
            "total": self.total,
            "reserved": self.reserved,
            "min_unit": self.min_unit,
            "max_unit": self.max_unit,
            "step_size": self.step_size,
            "allocation_ratio": self.allocation_ratio,
        }

    def fits(self, amount: int, used: int) -> bool:
        """Whether ``amount`` more fits, as placement checks an allocation request."""
        if amount < self.min_unit or amount > self.max_unit or amount % self.step_size:
            return False
        return used + amount <= self.capacity


@dataclass(slots=True)
class Provider:
    uuid: str
    name: str
    generation: int
    parent_uuid: str | None
    root_uuid: str
    created_at: datetime
    updated_at: datetime
    inventories: dict[str, Inventory] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    traits: set[str] = field(default_factory=set)
    aggregates: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Consumer:
    uuid: str
    project_id: str
    user_id: str
    generation: int
    consumer_type: str | None
    created_at: datetime
    updated_at: datetime
    # provider uuid -> {resource class: amount}
    allocations: dict[str, dict[str, int]] = field(default_factory=dict)
