"""ImagePropertiesFilter: the image's hypervisor_type / architecture / vm_mode suit the host."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState

SUPPORTED = {
    "architecture": {"x86_64", "i686"},
    "hypervisor_type": {"fake", "qemu", "kvm"},
    "vm_mode": {"hvm"},
}


@registry.register("scheduler_filter", "ImagePropertiesFilter")
class ImagePropertiesFilter(BaseFilter):
    name = "ImagePropertiesFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        props = spec.get("image") or {}
        return any(props.get(k) or props.get(f"img_{k}") for k in SUPPORTED)

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        props = spec.get("image") or {}
        for key, allowed in SUPPORTED.items():
            value = props.get(key) or props.get(f"img_{key}")
            if value and str(value).lower() not in allowed:
                return False
        return True
