"""Helpers for keystone's API tests: a small httpx client and unique names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Keystone:
    """A small keystone client over httpx: what the tests send and see on the wire."""

    client: httpx.Client

    def token(
        self,
        user: str,
        password: str,
        project: str | None = None,
        *,
        domain: str = "Default",
        scope: dict[str, Any] | None = None,
    ) -> str:
        auth: dict[str, Any] = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}},
            }
        }
        if project:
            auth["scope"] = {"project": {"name": project, "domain": {"name": domain}}}
        elif scope:
            auth["scope"] = scope
        r = self.client.post("/v3/auth/tokens", json={"auth": auth})
        assert r.status_code == 201, r.text
        return r.headers["X-Subject-Token"]

    def call(self, method: str, path: str, token: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"X-Auth-Token": token, **kw.pop("headers", {})}
        return self.client.request(method, path, json=body, headers=headers, **kw)


@dataclass
class Member:
    user_id: str
    name: str
    password: str
    project_id: str
    project_name: str
    token: str
