"""Policy: who may do what, with OpenStack's default personas.

Roles imply one another as keystone's bootstrap makes them (admin -> member -> reader), and a
token carries the implied roles too. Rules are small functions of ``(ctx, target)``; services
register theirs under OpenStack's rule names (``identity:list_users``, ``os_compute_api:...``).

Project scope is enforced by the services themselves: another project's resources are simply
not found (404), as OpenStack does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from twinstack.core.context import RequestContext
from twinstack.core.errors import Forbidden

Rule = Callable[[RequestContext, Mapping[str, Any]], bool]


def admin(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
    return ctx.is_admin


def project_member(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
    """A member of the target's project (or an admin)."""
    if ctx.is_admin:
        return True
    project = target.get("project_id")
    return ctx.is_member and (project is None or project == ctx.project_id)


def project_reader(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
    if ctx.is_admin:
        return True
    project = target.get("project_id")
    return ctx.is_reader and (project is None or project == ctx.project_id)


def owner(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
    """The user the target belongs to (``user_id``), or an admin."""
    return ctx.is_admin or (ctx.user_id is not None and target.get("user_id") == ctx.user_id)


def any_of(*rules: Rule) -> Rule:
    def check(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
        return any(rule(ctx, target) for rule in rules)

    return check


def authenticated(ctx: RequestContext, target: Mapping[str, Any]) -> bool:
    return ctx.authenticated


class Policy:
    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rules: Mapping[str, Rule]) -> None:
        for name, rule in rules.items():
            if name in self._rules:
                raise ValueError(f"policy rule {name!r} is registered twice")
            self._rules[name] = rule

    def check(self, ctx: RequestContext, rule: str, target: Mapping[str, Any] | None = None) -> bool:
        try:
            check = self._rules[rule]
        except KeyError:
            raise KeyError(f"no policy rule named {rule!r}") from None
        return check(ctx, target or {})

    def enforce(self, ctx: RequestContext, rule: str, target: Mapping[str, Any] | None = None) -> None:
        if not self.check(ctx, rule, target):
            raise Forbidden(f"You are not authorized to perform the requested action: {rule}.")
