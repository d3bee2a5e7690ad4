"""Allocation candidates: which providers can take a request group, answered incrementally.

The answer to a query is the first ``limit`` providers, in the providers' order, that can hold
the whole group (capacity, units, traits, aggregates, tree). A scheduler asks the same query
again and again while each of its claims changes a single provider, so a full scan per decision
(1,000 candidates of a 10,000-host cloud) repeats work. ``CandidateIndex`` keeps, per recent
query, the positions that fit and how far the scan went; a change to one provider's usage or
inventory (``changed``) re-checks only that provider at the next ask, and the scan continues
from where it stopped when the answer is short. Anything that reorders providers or changes
traits, aggregates or trees (rare) drops every kept answer (``reset``).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twinstack.services.placement.state import Provider

if TYPE_CHECKING:
    from twinstack.services.placement.service import CandidateQuery


def resolve_tree(providers: dict[str, Provider], query: CandidateQuery) -> str | None:
    """The root uuid an ``in_tree`` query is confined to ("-" for an unknown provider)."""
    if query.in_tree is None:
        return None
    root = providers.get(query.in_tree)
    return root.root_uuid if root else "-"


def fits(providers: dict[str, Provider], p: Provider, query: CandidateQuery, in_tree: str | None) -> bool:
    """Whether ``p`` alone can satisfy the request group ``query``."""
    invs = p.inventories
    used = p.used
    for rc, amount in query.resources.items():
        inv = invs.get(rc)
        if (
            inv is None
            or used.get(rc, 0) + amount > inv.limit
            or amount > inv.max_unit
            or amount < inv.min_unit
            or amount % inv.step_size
        ):
            return False
    if in_tree is not None and p.root_uuid != in_tree:
        return False
    traits = p.traits
    if query.required and not query.required <= traits:
        return False
    if query.forbidden and traits & query.forbidden:
        return False
    if query.any_traits and not all(traits & group for group in query.any_traits):
        return False
    if query.member_of and not all(p.aggregates & group for group in query.member_of):
        return False
    if query.not_member_of and p.aggregates & query.not_member_of:
        return False
    if query.root_required or query.root_forbidden:
        root_traits = providers[p.root_uuid].traits
        if not query.root_required <= root_traits or root_traits & query.root_forbidden:
            return False
    return True


def _key(query: CandidateQuery, limit: int | None) -> Hashable:
    return (
        tuple(sorted(query.resources.items())),
        frozenset(query.required),
        frozenset(query.forbidden),
        tuple(frozenset(g) for g in query.any_traits),
        tuple(frozenset(g) for g in query.member_of),
        frozenset(query.not_member_of),
        query.in_tree,
        frozenset(query.root_required),
        frozenset(query.root_forbidden),
        limit,
    )


@dataclass(slots=True)
class _Answer:
    query: CandidateQuery
    in_tree: str | None
    found: list[int] = field(default_factory=list)  # positions that fit, ascending
    end: int = 0  # every position below has been checked
    dirty: set[str] = field(default_factory=set)  # providers changed since


class CandidateIndex:
    def __init__(self, providers: dict[str, Provider], max_queries: int = 32) -> None:
        self.providers = providers
        self.max_queries = max_queries
        self._answers: OrderedDict[Hashable, _Answer] = OrderedDict()
        self._order: list[Provider] | None = None
        self._position: dict[str, int] = {}

    def reset(self) -> None:
        """Providers were added, removed or reloaded, or traits, aggregates or trees changed."""
        self._answers.clear()
        self._order = None

    def changed(self, uuid: str) -> None:
        """The usage or inventory of one provider changed."""
        for answer in self._answers.values():
            answer.dirty.add(uuid)

    def candidates(self, query: CandidateQuery, limit: int | None) -> list[Provider]:
        if self._order is None:
            self._order = list(self.providers.values())
            self._position = {p.uuid: n for n, p in enumerate(self._order)}
        order = self._order
        key = _key(query, limit)
        answer = self._answers.get(key)
        if answer is None:
            answer = _Answer(query, resolve_tree(self.providers, query))
            self._answers[key] = answer
            while len(self._answers) > self.max_queries:
                self._answers.popitem(last=False)
        else:
            self._answers.move_to_end(key)
            self._recheck(answer)
        found = answer.found
        if limit is not None and len(found) > limit:
            del found[limit:]
            answer.end = found[-1] + 1 if found else 0
        if limit is None or len(found) < limit:
            self._scan(answer, limit)
        return [order[n] for n in found]

    def _recheck(self, answer: _Answer) -> None:
        providers, order, found = self.providers, self._order, answer.found
        assert order is not None
        for uuid in answer.dirty:
            pos = self._position.get(uuid)
            if pos is None or pos >= answer.end:
                continue
            ok = fits(providers, order[pos], answer.query, answer.in_tree)
            at = bisect.bisect_left(found, pos)
            present = at < len(found) and found[at] == pos
            if ok and not present:
                found.insert(at, pos)
            elif present and not ok:
                del found[at]
        answer.dirty.clear()

    def _scan(self, answer: _Answer, limit: int | None) -> None:
        providers, order, found = self.providers, self._order, answer.found
        assert order is not None
        query, in_tree = answer.query, answer.in_tree
        pos = answer.end
        while pos < len(order):
            if fits(providers, order[pos], query, in_tree):
                found.append(pos)
                if limit is not None and len(found) >= limit:
                    pos += 1
                    break
            pos += 1
        answer.end = pos
