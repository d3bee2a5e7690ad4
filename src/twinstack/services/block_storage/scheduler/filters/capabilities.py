"""CapabilitiesFilter: the volume type's extra specs match what the backend reports.

Unscoped keys and ``capabilities:`` keys must match a reported capability (cinder's
``extra_specs_ops``: ``<is> True``, ``<in>``, ``<or>``, ``>=``, ``<=``, ``==``, ``s==``...);
keys with another scope (``RESKEY:``, ``volume_backend_name`` included as plain) are skipped.
"""

from __future__ import annotations

import operator
from typing import Any

from twinstack.services.block_storage.scheduler.filters import BaseBackendFilter
from twinstack.services.block_storage.scheduler.host_manager import PoolState

_NUMERIC = {"=": operator.ge, "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
_STRING = {
    "s==": operator.eq,
    "s!=": operator.ne,
    "s<": operator.lt,
    "s<=": operator.le,
    "s>": operator.gt,
    "s>=": operator.ge,
}


def spec_matches(value: Any, req: str) -> bool:
    """cinder's ``extra_specs_ops.match``."""
    words = str(req).split()
    if not words:
        return str(value) == str(req)
    op = words[0]
    if op == "<is>" and len(words) > 1:
        return str(value).lower() == words[1].lower() or (
            isinstance(value, bool) and str(value).lower() == words[1].lower()
        )
    if op == "<in>" and len(words) > 1:
        return words[1] in str(value)
    if op == "<all-in>":
        return all(w in str(value) for w in words[1:])
    if op == "<or>":
        return str(value) in [w for w in words[1:] if w != "<or>"]
    if op in _STRING and len(words) > 1:
        return bool(_STRING[op](str(value), words[1]))
    if op in _NUMERIC and len(words) > 1:
        try:
            return bool(_NUMERIC[op](float(value), float(words[1])))
        except (TypeError, ValueError):
            return False
    return str(value) == str(req)


class CapabilitiesFilter(BaseBackendFilter):
    name = "CapabilitiesFilter"

    def backend_passes(self, pool: PoolState, filter_properties: dict[str, Any]) -> bool:
        vtype = filter_properties.get("resource_type") or {}
        for key, req in (vtype.get("extra_specs") or {}).items():
            scope = key.split(":")
            if len(scope) > 1 and scope[0] != "capabilities":
                continue
            if scope[0] == "capabilities":
                scope = scope[1:]
            cap: Any = pool.capabilities
            for part in scope:
                if not isinstance(cap, dict) or part not in cap:
                    return False
                cap = cap[part]
            values = cap if isinstance(cap, list) else [cap]
            if not any(spec_matches(v, req) for v in values):
                return False
        return True
