from __future__ import annotations

from twinstack.bench import atomic
from twinstack.bench.scenario import Scenario


def test_timers_nest_and_repeats_merge_with_xn() -> None:
    s = Scenario({})
    with s.atomic("outer"):
        with s.atomic("inner"):
            pass
        with s.atomic("inner"):
            pass
    try:
        with s.atomic("broken"):
            raise ValueError
    except ValueError:
        pass
    tree = s.atomic_actions()
    assert [a["name"] for a in tree] == ["outer", "broken"]
    assert [c["name"] for c in tree[0]["children"]] == ["inner", "inner"]
    assert tree[1]["failed"] is True
    merged = atomic.merge(tree)
    paths = [p for p, _ in atomic.flatten(merged)]
    assert paths == [("outer",), ("outer", "inner (x2)"), ("broken",)]
    assert merged["outer"]["children"]["inner"]["count"] == 2


def test_decorator_records_action() -> None:
    class S(Scenario):
        @atomic.action_timer("svc.op")
        def op(self) -> int:
            return 3

    s = S({})
    assert s.op() == 3
    assert s.atomic_actions()[0]["name"] == "svc.op"
    assert s.atomic_actions()[0]["finished_at"] >= s.atomic_actions()[0]["started_at"]
