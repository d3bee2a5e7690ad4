"""Quotas.* (rally-openstack's names; atomic actions ``quotas.update_quotas`` / ``delete_quotas``)."""

from __future__ import annotations

import random
from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario

NOVA = (
    "metadata_items",
    "key_pairs",
    "injected_file_content_bytes",
    "injected_file_path_bytes",
    "ram",
    "instances",
    "injected_files",
    "cores",
    "server_groups",
    "server_group_members",
)
CINDER = ("volumes", "snapshots", "gigabytes")
NEUTRON = ("network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule")
_MAX = {"max_quota": {"type": "integer", "minimum": 1}}


class _Quotas(OpenStackScenario):
    REQUIRES_ADMIN: ClassVar[bool] = True
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = _MAX
    KEYS: ClassVar[tuple[str, ...]] = ()
    SERVICE: ClassVar[str] = ""

    def _update(self, max_quota: int) -> None:
        values = {k: random.randint(-1, max_quota) for k in self.KEYS}
        admin = self.admin_clients()
        setter = getattr(admin, f"set_{self.SERVICE}_quotas")
        with self.atomic("quotas.update_quotas"):
            setter(self.context["tenant"]["id"], **values)

    def _delete(self) -> None:
        admin = self.admin_clients()
        with self.atomic("quotas.delete_quotas"):
            getattr(admin, f"delete_{self.SERVICE}_quotas")(self.context["tenant"]["id"])


def _quota_scenario(name: str, service: str, keys: tuple[str, ...], delete: bool) -> None:
    class _S(_Quotas):
        __doc__ = f"Update the tenant's {service} quotas to random values up to max_quota" + (
            ", then delete them (back to defaults)." if delete else "."
        )
        KEYS = keys
        SERVICE = service

        def run(self, max_quota: int = 1024) -> None:
            self._update(max_quota)
            if delete:
                self._delete()

    register("scenario", name)(_S)


_quota_scenario("Quotas.nova_update", "compute", NOVA, False)
_quota_scenario("Quotas.nova_update_and_delete", "compute", NOVA, True)
_quota_scenario("Quotas.cinder_update", "volume", CINDER, False)
_quota_scenario("Quotas.cinder_update_and_delete", "volume", CINDER, True)
_quota_scenario("Quotas.neutron_update", "network", NEUTRON, False)
