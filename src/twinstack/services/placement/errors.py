"""Placement's error codes (as placement's own ``errors.py`` names them) and its 409."""

from __future__ import annotations

from twinstack.core.errors import Conflict

CONCURRENT_UPDATE = "placement.concurrent_update"
DUPLICATE_NAME = "placement.duplicate_name"
INVENTORY_INUSE = "placement.inventory.inuse"
PROVIDER_IN_USE = "placement.resource_provider.inuse"
CANNOT_DELETE_PARENT = "placement.resource_provider.cannot_delete_parent"
PROVIDER_NOT_FOUND = "placement.resource_provider.not_found"


def conflict(message: str, code: str = "placement.undefined_code") -> Conflict:
    return Conflict(message, kind=code)
