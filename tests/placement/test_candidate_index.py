"""Allocation candidates kept current between asks answer exactly what a full scan answers."""

from __future__ import annotations

import random
import uuid
from typing import Any

from twinstack.services.placement.candidate_index import fits, resolve_tree
from twinstack.services.placement.service import CandidateQuery
from twinstack.services.placement.state import Inventory


def _scan(placement: Any, query: CandidateQuery, limit: int | None) -> list[str]:
    in_tree = resolve_tree(placement.providers, query)
    found = [p.uuid for p in placement.providers.values() if fits(placement.providers, p, query, in_tree)]
    return found if limit is None else found[:limit]


def test_candidates_follow_claims_releases_inventories_and_traits(twinstack_cloud: Any) -> None:
    placement = twinstack_cloud.cloud.service("placement")
    rng = random.Random(5)
    aggregate = str(uuid.uuid4())
    mine = []
    for n in range(12):
        p = placement.create_provider(f"ci-{aggregate[:8]}-{n}")
        placement.set_inventories(
            p.uuid,
            None,
            {
                "VCPU": Inventory(4, 0, 1, 4, 1, 2.0),
                "MEMORY_MB": Inventory(2048, 0, 1, 2048, 1, 1.0),
            },
        )
        placement.set_aggregates(p.uuid, None, [aggregate])
        mine.append(p.uuid)
    queries = [
        CandidateQuery({"VCPU": 1, "MEMORY_MB": 256}, member_of=[{aggregate}]),
        CandidateQuery({"VCPU": 3}, member_of=[{aggregate}], forbidden={"CUSTOM_CI_OFF"}),
        CandidateQuery({"MEMORY_MB": 1024}, member_of=[{aggregate}], required={"CUSTOM_CI_OFF"}),
    ]
    placement.create_trait("CUSTOM_CI_OFF")
    consumers: list[str] = []
    try:
        for _step in range(300):
            action = rng.random()
            if action < 0.5:
                consumer = str(uuid.uuid4())
                if placement.claim(consumer, rng.choice(mine), {"VCPU": rng.randint(1, 3)}, "p", "u"):
                    consumers.append(consumer)
            elif action < 0.8 and consumers:
                consumer = consumers.pop(rng.randrange(len(consumers)))
                placement.replace_allocations({consumer: {"allocations": {}}})
            elif action < 0.9:
                rp = rng.choice(mine)
                invs = dict(placement.get_provider(rp).inventories)
                used = placement.get_provider(rp).used.get("VCPU", 0)
                total = rng.randint(max(1, used), max(used, 8))
                invs["VCPU"] = Inventory(total, 0, 1, total, 1, rng.choice([1.0, 2.0]))
                placement.set_inventories(rp, None, invs)
            else:
                rp = rng.choice(mine)
                traits = set() if rng.random() < 0.5 else {"CUSTOM_CI_OFF"}
                placement.set_traits(rp, None, traits)
            for query in queries:
                for limit in (None, 1, 3, 7):
                    got = [p.uuid for p in placement.candidates(query, limit)]
                    assert got == _scan(placement, query, limit), (query, limit)
    finally:
        for consumer in consumers:
            placement.replace_allocations({consumer: {"allocations": {}}})
        for rp in mine:
            placement.delete_provider(rp)
        placement.delete_trait("CUSTOM_CI_OFF")
