"""Dummy.* scenarios: no cloud needed; for testing the engine, runners, SLA and reports."""

from __future__ import annotations

import random
from typing import Any, ClassVar

from twinstack.bench.atomic import action_timer
from twinstack.bench.registry import register
from twinstack.bench.scenario import Scenario

_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}


class DummyScenarioException(Exception):
    """The exception Dummy scenarios raise on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Dummy scenario expected exception: '{message}'")


@register("scenario", "Dummy.dummy")
class Dummy(Scenario):
    """Do nothing and sleep for the given number of seconds (0 by default).

    sleep: seconds to sleep, timed as atomic action ``foo`` containing ``bar``.
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"sleep": {"type": "number", "minimum": 0}}

    @action_timer("bar")
    def bar(self, sleep: float) -> None:
        self.interruptible_sleep(sleep)

    @action_timer("foo")
    def foo(self, sleep: float) -> None:
        self.bar(sleep)

    def run(self, sleep: float = 0, **kwargs: Any) -> None:
        self.foo(sleep)


@register("scenario", "Dummy.failure")
class DummyFailure(Scenario):
    """Raise errors in some iterations.

    sleep: seconds each iteration sleeps (0.1). from_iteration / to_iteration: the range of
    iterations that may fail. each: of those, every ``each``-th one fails (1: all).
    """

    def run(self, sleep: float = 0.1, from_iteration: int = 0, to_iteration: int = 0, each: int = 1) -> None:
        self.interruptible_sleep(sleep)
        i = self.context["iteration"]
        if from_iteration <= i <= to_iteration and each and i % each == 0:
            raise DummyScenarioException("Expected failure")


@register("scenario", "Dummy.dummy_exception")
class DummyException(Scenario):
    """Sleep, then raise an exception.

    size_of_message: length of the generated message (1). sleep: seconds (1).
    message: the message (default: ``size_of_message`` times "M").
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"size_of_message": {"type": ["integer", "null"], "minimum": 1}}

    def run(self, size_of_message: int = 1, sleep: float = 1, message: str = "") -> None:
        self.interruptible_sleep(sleep)
        raise DummyScenarioException(message or "M" * size_of_message)


@register("scenario", "Dummy.dummy_exception_probability")
class DummyExceptionProbability(Scenario):
    """Raise an exception with the given probability.

    exception_probability: 0 (never) to 1 (always); default 0.5.
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"exception_probability": _PROBABILITY}

    def run(self, exception_probability: float = 0.5) -> None:
        if random.random() < exception_probability:
            raise DummyScenarioException(f"Dummy Scenario Exception: Probability: {exception_probability}")


@register("scenario", "Dummy.dummy_output")
class DummyOutput(Scenario):
    """Produce example additive and complete charts for the report's Scenario Data tab.

    random_range: the generated values lie between 1 and this (25).
    """

    def run(self, random_range: int = 25) -> None:
        def point(name: Any) -> list[Any]:
            return [name, random.randint(1, random_range)]

        self.add_output(
            additive={
                "title": "Additive StatsTable",
                "chart_plugin": "StatsTable",
                "description": "Values added up over iterations",
                "data": [point("foo stat"), point("bar stat"), point("spam stat")],
            }
        )
        self.add_output(
            additive={
                "title": "Additive StackedArea",
                "chart_plugin": "StackedArea",
                "data": [point(f"foo {i}") for i in range(1, 7)],
                "label": "Measure this in Foo units",
            }
        )
        self.add_output(
            additive={
                "title": "Additive Lines",
                "chart_plugin": "Lines",
                "data": [point(f"bar {i}") for i in range(1, 4)],
                "label": "Measure this in Bar units",
            }
        )
        self.add_output(
            additive={
                "title": "Additive Pie",
                "chart_plugin": "Pie",
                "data": [point(f"spam {i}") for i in range(1, 4)],
            },
            complete={
                "title": "Complete Lines",
                "chart_plugin": "Lines",
                "data": [[name, [point(i) for i in range(1, 8)]] for name in ("Foo", "Bar")],
                "label": "Some units",
                "axis_label": "A custom X-axis label",
            },
        )
        self.add_output(
            complete={
                "title": "Complete StackedArea",
                "chart_plugin": "StackedArea",
                "data": [[name, [point(i) for i in range(20)]] for name in ("alpha", "beta", "gamma")],
            }
        )
        self.add_output(
            complete={
                "title": "Arbitrary Text",
                "chart_plugin": "TextArea",
                "data": ["Lorem ipsum dolor sit amet."] * 3,
            }
        )
        self.add_output(
            complete={
                "title": "Complete Pie",
                "chart_plugin": "Pie",
                "data": [point(n) for n in ("delta", "epsilon", "zeta")],
            }
        )
        self.add_output(
            complete={
                "title": "Complete Table",
                "chart_plugin": "Table",
                "data": {
                    "cols": ["name", "mu", "xi"],
                    "rows": [
                        [f"{n} row", random.randint(1, random_range), random.randint(1, random_range)]
                        for n in ("iota", "nu", "rho")
                    ],
                },
            }
        )


@register("scenario", "Dummy.dummy_random_fail_in_atomic")
class DummyRandomFailInAtomic(Scenario):
    """Fail inside nested atomic actions with the given probability (0.5), split over 4 places.

    The atomic actions are ``dummy_fail_test`` (x2), each containing ``dummy_fail_inner_test``.
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"exception_probability": _PROBABILITY}

    def run(self, exception_probability: float = 0.5) -> None:
        p = exception_probability if exception_probability == 1 else exception_probability / 4.0

        def roulette() -> None:
            if random.random() < p:
                raise KeyError("Dummy test exception")

        for _ in range(2):
            with self.atomic("dummy_fail_test"):
                roulette()
                with self.atomic("dummy_fail_inner_test"):
                    roulette()


@register("scenario", "Dummy.dummy_random_action")
class DummyRandomAction(Scenario):
    """Run ``actions_num`` (5) atomic actions ``action_<n>`` sleeping between sleep_min and
    sleep_max seconds each."""

    def run(self, actions_num: int = 5, sleep_min: float = 0, sleep_max: float = 0) -> None:
        for idx in range(actions_num):
            with self.atomic(f"action_{idx}"):
                self.interruptible_sleep(random.uniform(sleep_min, sleep_max))


@register("scenario", "Dummy.dummy_timed_atomic_actions")
class DummyTimedAtomicActions(Scenario):
    """Run ``number_of_actions`` (5) atomic actions; ``action_<n>`` sleeps n * sleep_factor s."""

    def run(self, number_of_actions: int = 5, sleep_factor: float = 1) -> None:
        for n in range(number_of_actions):
            with self.atomic(f"action_{n}"):
                self.interruptible_sleep(n * sleep_factor)


@register("scenario", "Dummy.dummy_idle")
class DummyIdle(Scenario):
    """Sleep a random time between min_sleep and max_sleep seconds, counted as idle time."""

    def run(self, min_sleep: float = 0, max_sleep: float = 0) -> None:
        self.sleep_between(min_sleep, max_sleep)
