"""``GET /v2.0/agents``: there are no agents to show (nothing is wired on hosts).

Neutron lists agents to admins only (others get an empty list); twinstack has none at all, and
does not list the ``agent`` extension.
"""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi


def list_agents(req: ApiRequest) -> dict[str, Any]:
    return {"agents": []}


def register(api: ServiceApi) -> None:
    api.add("GET", "/v2.0/agents", list_agents)
