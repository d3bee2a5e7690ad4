"""The OpenStack services twinstack emulates, one package each with the same file roles."""

from __future__ import annotations

import importlib.util

SERVICES = ("identity", "image", "network", "placement", "compute", "block_storage")


def all_model_modules() -> list[str]:
    """The ``models`` module of every service that has tables."""
    names = []
    for service in SERVICES:
        name = f"twinstack.services.{service}.models"
        if importlib.util.find_spec(name) is not None:
            names.append(name)
    return names
