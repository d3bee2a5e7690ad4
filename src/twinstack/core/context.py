"""The request context: who is asking, in which scope, with which roles and microversion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twinstack.core.microversion import APIVersion

_AT_LEAST: dict[tuple[int, int, str], bool] = {}


@dataclass(slots=True)
class RequestContext:
    request_id: str
    user_id: str | None = None
    user_name: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    domain_id: str | None = None  # domain scope
    domain_name: str | None = None
    system_scope: str | None = None  # "all" for a system-scoped token
    roles: list[str] = field(default_factory=list)
    auth_token: str | None = None
    token_info: dict[str, Any] | None = None
    app_cred_id: str | None = None
    microversion: APIVersion | None = None
    global_request_id: str | None = None

    @property
    def is_admin(self) -> bool:
        """Admin as OpenStack's default policies see it: the ``admin`` role in any scope."""
        return "admin" in self.roles

    @property
    def is_reader(self) -> bool:
        return bool({"reader", "member", "admin"} & set(self.roles))

    @property
    def is_member(self) -> bool:
        return bool({"member", "admin"} & set(self.roles))

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def mv(self, version: str) -> bool:
        """True when the request's microversion is at least ``version``."""
        current = self.microversion
        if current is None:
            return False
        key = (current.major, current.minor, version)
        answer = _AT_LEAST.get(key)
        if answer is None:  # views ask this a dozen times per server: remember the answers
            answer = current >= APIVersion.parse(version)
            if len(_AT_LEAST) < 65536:
                _AT_LEAST[key] = answer
        return answer

    @classmethod
    def admin_context(cls, request_id: str = "req-internal") -> RequestContext:
        """A context for the cloud's own internal work (bootstrap, managers)."""
        return cls(request_id=request_id, user_id="twinstack", roles=["admin", "member", "reader"])
