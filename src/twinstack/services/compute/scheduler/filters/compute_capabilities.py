"""ComputeCapabilitiesFilter: flavor extra specs scoped ``capabilities:`` match the host."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState


@registry.register("scheduler_filter", "ComputeCapabilitiesFilter")
class ComputeCapabilitiesFilter(BaseFilter):
    name = "ComputeCapabilitiesFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        return any(k.startswith("capabilities:") for k in spec["flavor"].get("extra_specs", {}))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        for key, wanted in spec["flavor"].get("extra_specs", {}).items():
            if not key.startswith("capabilities:"):
                continue
            attr = key.split(":", 1)[1]
            value = getattr(host, attr, None)
            if value is None:
                return False
            text = str(wanted).strip()
            if text.startswith(">="):
                try:
                    if float(value) < float(text[2:].strip()):
                        return False
                except ValueError:
                    return False
            elif text.startswith("s== ") or text.startswith("<in> "):
                if text.split(None, 1)[1] not in str(value):
                    return False
            elif str(value) != text:
                return False
        return True
