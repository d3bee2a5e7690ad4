"""Keystone's identity backend: users (with passwords) and groups (with membership).

A mixin of ``IdentityService``. Unknown attributes of a user or group (``email``,
``description`` for users...) are kept in ``extra`` and shown back at the top level, as keystone
does. A user disabled, deleted or whose password changes loses every token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from twinstack.core.errors import BadRequest, NotFound, Unauthorized
from twinstack.services.identity import models as m
from twinstack.services.identity.common import duplicate, not_found, split_extra

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService

_USER_COLUMNS = ("name", "domain_id", "enabled", "default_project_id", "options")
_GROUP_COLUMNS = ("name", "domain_id", "description")


class IdentitiesMixin:
    """Users and groups."""

    # users ----------------------------------------------------------------------------------
    def list_users(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.users).order_by(m.users.c.name)).mappings()]

    def create_user(self: IdentityService, values: dict[str, Any], default_domain_id: str) -> dict[str, Any]:
        cols, extra = split_extra(values, _USER_COLUMNS, drop=("password", "federated"))
        domain_id = cols.get("domain_id") or default_domain_id
        self.get_domain(domain_id)
        password = values.get("password")
        record = {
            "id": self.cloud.ids.hex(),
            "enabled": True,
            "default_project_id": None,
            "options": {},
            **cols,
            "domain_id": domain_id,
            "password_hash": self.hasher.hash(password) if password else None,
            "password_expires_at": None,
            "extra": extra,
            "created_at": self.cloud.clock.now(),
        }
        record["options"] = record["options"] or {}
        with self.db.begin() as conn:
            taken = conn.execute(
                select(m.users.c.id).where(m.users.c.domain_id == domain_id, m.users.c.name == record["name"])
            ).first()
            if taken:
                raise duplicate("user", record["name"], domain_id)
            conn.execute(insert(m.users).values(**record))
        self.changed()
        return record

    def update_user(self: IdentityService, user_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_user(user_id)
        if "domain_id" in values and values["domain_id"] != current["domain_id"]:
            raise BadRequest("Cannot change Domain ID.")
        cols, extra = split_extra(values, _USER_COLUMNS, drop=("password", "federated", "domain_id"))
        changes: dict[str, Any] = dict(cols)
        if "options" in changes:
            options = {**(current["options"] or {}), **(changes["options"] or {})}
            changes["options"] = {k: v for k, v in options.items() if v is not None}
        password_changed = "password" in values
        if password_changed:
            password = values["password"]
            changes["password_hash"] = self.hasher.hash(password) if password else None
        with self.db.begin() as conn:
            if "name" in cols and cols["name"] != current["name"]:
                taken = conn.execute(
                    select(m.users.c.id).where(
                        m.users.c.domain_id == current["domain_id"], m.users.c.name == cols["name"]
                    )
                ).first()
                if taken:
                    raise duplicate("user", cols["name"], current["domain_id"])
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(update(m.users).where(m.users.c.id == user_id).values(**changes, extra=new_extra))
        self.changed()
        if password_changed or (cols.get("enabled") is False and current["enabled"]):
            self.tokens.revoke(user_id=user_id)
        return self.get_user(user_id)

    def change_password(self: IdentityService, user_id: str, original: str, new: str) -> None:
        """A user changes their own password (``POST /v3/users/{id}/password``)."""
        try:
            user = self.get_user(user_id)
        except NotFound:
            user = None
        if not self.check_password(user, original) or user is None:
            raise Unauthorized("The request you have made requires authentication.")
        with self.db.begin() as conn:
            conn.execute(
                update(m.users).where(m.users.c.id == user_id).values(password_hash=self.hasher.hash(new))
            )
        self.changed()
        self.tokens.revoke(user_id=user_id)

    def delete_user(self: IdentityService, user_id: str) -> None:
        self.get_user(user_id)
        with self.db.begin() as conn:
            conn.execute(delete(m.assignments).where(m.assignments.c.actor_id == user_id))
            conn.execute(delete(m.credentials).where(m.credentials.c.user_id == user_id))
            conn.execute(delete(m.users).where(m.users.c.id == user_id))
        self.changed()
        self.tokens.revoke(user_id=user_id)

    def user_groups(self: IdentityService, user_id: str) -> list[dict[str, Any]]:
        self.get_user(user_id)
        with self.db.begin() as conn:
            rows = conn.execute(
                select(m.groups)
                .join(m.group_members, m.group_members.c.group_id == m.groups.c.id)
                .where(m.group_members.c.user_id == user_id)
                .order_by(m.groups.c.name)
            ).mappings()
            return [dict(r) for r in rows]

    # groups ---------------------------------------------------------------------------------
    def get_group(self: IdentityService, group_id: str) -> dict[str, Any]:
        row = self._cached_row(m.groups, group_id)
        if row is None:
            raise not_found("group", group_id)
        return row

    def list_groups(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.groups).order_by(m.groups.c.name)).mappings()]

    def create_group(self: IdentityService, values: dict[str, Any], default_domain_id: str) -> dict[str, Any]:
        cols, extra = split_extra(values, _GROUP_COLUMNS)
        domain_id = cols.get("domain_id") or default_domain_id
        self.get_domain(domain_id)
        record = {
            "id": self.cloud.ids.hex(),
            "description": None,
            **cols,
            "domain_id": domain_id,
            "extra": extra,
        }
        with self.db.begin() as conn:
            taken = conn.execute(
                select(m.groups.c.id).where(
                    m.groups.c.domain_id == domain_id, m.groups.c.name == record["name"]
                )
            ).first()
            if taken:
                raise duplicate("group", record["name"], domain_id)
            conn.execute(insert(m.groups).values(**record))
        self.changed()
        return record

    def update_group(self: IdentityService, group_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_group(group_id)
        if "domain_id" in values and values["domain_id"] != current["domain_id"]:
            raise BadRequest("Cannot change Domain ID.")
        cols, extra = split_extra(values, ("name", "description"), drop=("domain_id",))
        with self.db.begin() as conn:
            if "name" in cols and cols["name"] != current["name"]:
                taken = conn.execute(
                    select(m.groups.c.id).where(
                        m.groups.c.domain_id == current["domain_id"], m.groups.c.name == cols["name"]
                    )
                ).first()
                if taken:
                    raise duplicate("group", cols["name"], current["domain_id"])
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(update(m.groups).where(m.groups.c.id == group_id).values(**cols, extra=new_extra))
        self.changed()
        return self.get_group(group_id)

    def delete_group(self: IdentityService, group_id: str) -> None:
        self.get_group(group_id)
        members = [u["id"] for u in self.group_users(group_id)]
        with self.db.begin() as conn:
            conn.execute(delete(m.assignments).where(m.assignments.c.actor_id == group_id))
            conn.execute(delete(m.groups).where(m.groups.c.id == group_id))
        self.changed()
        for user_id in members:
            self.tokens.revoke(user_id=user_id)

    def group_users(self: IdentityService, group_id: str) -> list[dict[str, Any]]:
        self.get_group(group_id)
        with self.db.begin() as conn:
            rows = conn.execute(
                select(m.users)
                .join(m.group_members, m.group_members.c.user_id == m.users.c.id)
                .where(m.group_members.c.group_id == group_id)
                .order_by(m.users.c.name)
            ).mappings()
            return [dict(r) for r in rows]

    def add_user_to_group(self: IdentityService, group_id: str, user_id: str) -> None:
        self.get_group(group_id)
        self.get_user(user_id)
        with self.db.begin() as conn:
            gm = m.group_members
            if (
                conn.execute(select(gm).where(gm.c.group_id == group_id, gm.c.user_id == user_id)).first()
                is None
            ):
                conn.execute(insert(gm).values(group_id=group_id, user_id=user_id))
        self.changed()

    def check_user_in_group(self: IdentityService, group_id: str, user_id: str) -> None:
        self.get_group(group_id)
        self.get_user(user_id)
        with self.db.begin() as conn:
            gm = m.group_members
            found = conn.execute(select(gm).where(gm.c.group_id == group_id, gm.c.user_id == user_id)).first()
        if found is None:
            raise NotFound(f"User '{user_id}' not found in group '{group_id}'.")

    def remove_user_from_group(self: IdentityService, group_id: str, user_id: str) -> None:
        self.check_user_in_group(group_id, user_id)
        with self.db.begin() as conn:
            gm = m.group_members
            conn.execute(delete(gm).where(gm.c.group_id == group_id, gm.c.user_id == user_id))
        self.changed()
        self.tokens.revoke(user_id=user_id)
