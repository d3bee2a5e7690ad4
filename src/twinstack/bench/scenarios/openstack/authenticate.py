"""Authenticate.keystone and Authenticate.validate_* (rally-openstack's names and atomics)."""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario

_REPS = {"repetitions": {"type": "integer", "minimum": 1}}


@register("scenario", "Authenticate.keystone")
class Keystone(OpenStackScenario):
    """Get a new token for the iteration's user (a fresh session, so it really authenticates)."""

    def run(self) -> None:
        user = self.context.get("user") or self.context["env"].admin
        with self.atomic("authenticate.keystone"):
            conn = self.context["env"].connect(user["credential"])
            conn.authorize()
            conn.close()


class _Validate(OpenStackScenario):
    SERVICE: ClassVar[str]
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = _REPS

    def call(self, conn: Any) -> None:
        raise NotImplementedError

    def run(self, repetitions: int = 1) -> None:
        conn = self.clients()
        with self.atomic(f"authenticate.validate_{self.SERVICE}"):
            for _ in range(repetitions):
                self.call(conn)


@register("scenario", "Authenticate.validate_nova")
class ValidateNova(_Validate):
    """Check the token works with nova ``repetitions`` times (lists flavors)."""

    SERVICE = "nova"

    def call(self, conn: Any) -> None:
        list(conn.compute.flavors(details=False))


@register("scenario", "Authenticate.validate_cinder")
class ValidateCinder(_Validate):
    """Check the token works with cinder ``repetitions`` times (lists volume types)."""

    SERVICE = "cinder"

    def call(self, conn: Any) -> None:
        list(conn.block_storage.types())


@register("scenario", "Authenticate.validate_glance")
class ValidateGlance(_Validate):
    """Check the token works with glance ``repetitions`` times (lists images)."""

    SERVICE = "glance"

    def call(self, conn: Any) -> None:
        list(conn.image.images(limit=1))


@register("scenario", "Authenticate.validate_neutron")
class ValidateNeutron(_Validate):
    """Check the token works with neutron ``repetitions`` times (lists networks)."""

    SERVICE = "neutron"

    def call(self, conn: Any) -> None:
        list(conn.network.networks(limit=1))


@register("scenario", "Authenticate.validate_heat")
class ValidateHeat(_Validate):
    """Check the token works with heat ``repetitions`` times (lists stacks)."""

    SERVICE = "heat"

    def call(self, conn: Any) -> None:
        list(conn.orchestration.stacks(limit=1))


@register("scenario", "Authenticate.validate_octavia")
class ValidateOctavia(_Validate):
    """Check the token works with octavia ``repetitions`` times (lists load balancers)."""

    SERVICE = "octavia"

    def call(self, conn: Any) -> None:
        list(conn.load_balancer.load_balancers(limit=1))
