"""Application credentials and credentials (keystone's ``/v3/credentials``).

A mixin of ``IdentityService``. An application credential belongs to a user and a project,
carries a subset of the user's roles there, and a secret shown once (only its hash is kept);
deleting it revokes the tokens issued with it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from twinstack.core.clock import parse_isotime
from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.services.identity import models as m
from twinstack.services.identity.common import duplicate, not_found, row, validation_error
from twinstack.services.identity.passwords import PasswordHasher

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService, Scope


def new_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")


class AppCredMixin:
    """Application credentials and credentials."""

    # application credentials ----------------------------------------------------------------
    def list_app_creds(self: IdentityService, user_id: str) -> list[dict[str, Any]]:
        self.get_user(user_id)
        ac = m.application_credentials
        with self.db.begin() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(ac).where(ac.c.user_id == user_id).order_by(ac.c.name)
                ).mappings()
            ]

    def get_app_cred(self: IdentityService, user_id: str, cred_id: str) -> dict[str, Any]:
        cred = self.get_app_cred_row(cred_id)
        if cred is None or cred["user_id"] != user_id:
            raise not_found("application credential", cred_id)
        return cred

    def create_app_cred(
        self: IdentityService, user_id: str, scope: Scope, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Create one; returns the stored row plus ``secret`` (the only time it is shown)."""
        from twinstack.services.identity.service import Scope as ScopeType

        if scope.type != "project" or not scope.id:
            raise BadRequest("Application credentials require a project-scoped token.")
        held = self.effective_roles(user_id, ScopeType("project", scope.id))
        roles = (
            held
            if not values.get("roles")
            else [self._held_role(ref, held, user_id, scope.id) for ref in values["roles"]]
        )
        expires_at = None
        if values.get("expires_at"):
            try:
                expires_at = _aware(parse_isotime(values["expires_at"]))
            except ValueError:
                raise BadRequest(
                    f"Invalid input for field 'expires_at': {values['expires_at']!r} is not a 'date-time'"
                ) from None
            if expires_at <= self.cloud.clock.now():
                raise BadRequest("Invalid application credential: expires_at is in the past.")
        secret = values.get("secret") or new_secret()
        wanted_rules = list(values.get("access_rules") or [])
        record = {
            "id": self.cloud.ids.hex(),
            "name": values["name"],
            "user_id": user_id,
            "project_id": scope.id,
            "secret_hash": PasswordHasher("pbkdf2_sha256").hash(secret),
            "description": values.get("description"),
            "expires_at": expires_at,
            "unrestricted": bool(values.get("unrestricted")),
            "roles": [{"id": r["id"], "name": r["name"], "domain_id": r["domain_id"]} for r in roles],
            "access_rules": [],
            "created_at": self.cloud.clock.now(),
        }
        ac = m.application_credentials
        with self.db.begin() as conn:
            record["access_rules"] = [self._access_rule(conn, user_id, rule) for rule in wanted_rules]
            if conn.execute(
                select(ac.c.id).where(ac.c.user_id == user_id, ac.c.name == record["name"])
            ).first():
                raise duplicate("application_credential", record["name"])
            conn.execute(insert(ac).values(**record))
        self.changed()
        return {**record, "secret": secret}

    def _held_role(
        self: IdentityService, ref: dict[str, Any], held: list[dict[str, Any]], user_id: str, project_id: str
    ) -> dict[str, Any]:
        for role in held:
            if ("id" in ref and role["id"] == ref["id"]) or (
                "id" not in ref and role["name"] == ref.get("name")
            ):
                return role
        ident = ref.get("id") or ref.get("name")
        raise NotFound(
            f"Could not find role assignment with role: {ident}, user or group: {user_id}, project, "
            f"domain, or system: {project_id}."
        )

    def delete_app_cred(self: IdentityService, user_id: str, cred_id: str) -> None:
        self.get_app_cred(user_id, cred_id)
        with self.db.begin() as conn:
            conn.execute(delete(m.application_credentials).where(m.application_credentials.c.id == cred_id))
        self.changed()
        self.tokens.revoke(app_cred_id=cred_id)

    def _access_rule(
        self: IdentityService, conn: Connection, user_id: str, rule: dict[str, Any]
    ) -> dict[str, Any]:
        """The user's rule named by ``id``, or the same (service, path, method), or a new one."""
        ar = m.access_rules
        if rule.get("id"):
            found = row(conn.execute(select(ar).where(ar.c.id == rule["id"], ar.c.user_id == user_id)))
            if found is None:
                raise not_found("access rule", rule["id"])
        else:
            wanted = {
                "service": rule.get("service", ""),
                "path": rule.get("path", ""),
                "method": rule.get("method", ""),
            }
            same = [ar.c[k] == v for k, v in wanted.items()]
            found = row(conn.execute(select(ar).where(ar.c.user_id == user_id, *same)))
            if found is None:
                found = {"id": self.cloud.ids.hex(), "user_id": user_id, **wanted}
                conn.execute(insert(ar).values(**found))
        return {k: found[k] for k in ("id", "service", "path", "method")}

    def access_rules(self: IdentityService, user_id: str) -> list[dict[str, Any]]:
        """A user's access rules (``/v3/users/{id}/access_rules``)."""
        self.get_user(user_id)
        ar = m.access_rules
        with self.db.begin() as conn:
            rows = conn.execute(select(ar).where(ar.c.user_id == user_id)).mappings()
            return [{k: r[k] for k in ("id", "service", "path", "method")} for r in rows]

    def delete_access_rule(self: IdentityService, user_id: str, rule_id: str) -> None:
        if not any(r["id"] == rule_id for r in self.access_rules(user_id)):
            raise not_found("access rule", rule_id)
        for cred in self.list_app_creds(user_id):
            if any(r.get("id") == rule_id for r in cred["access_rules"] or []):
                raise Forbidden(
                    f"Cannot delete access rule {rule_id}: it is used by an application credential."
                )
        with self.db.begin() as conn:
            conn.execute(delete(m.access_rules).where(m.access_rules.c.id == rule_id))
        self.changed()

    # credentials ----------------------------------------------------------------------------
    def get_credential(self: IdentityService, cred_id: str) -> dict[str, Any]:
        found = self._cached_row(m.credentials, cred_id)
        if found is None:
            raise not_found("credential", cred_id)
        return found

    def list_credentials(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.credentials)).mappings()]

    def create_credential(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        self.get_user(values["user_id"])
        cred_id = self.cloud.ids.hex()
        if values["type"] == "ec2":
            if not values.get("project_id"):
                raise validation_error("project_id", "credential")
            try:
                access = orjson.loads(values["blob"]).get("access")
            except (orjson.JSONDecodeError, AttributeError):
                raise BadRequest("Invalid blob in credential") from None
            if access:
                cred_id = hashlib.sha256(str(access).encode()).hexdigest()
        extra = {
            k: v
            for k, v in values.items()
            if k not in ("user_id", "project_id", "type", "blob", "id", "links")
        }
        record = {
            "id": cred_id,
            "user_id": values["user_id"],
            "project_id": values.get("project_id"),
            "type": values["type"],
            "blob": values["blob"],
            "extra": extra,
        }
        with self.db.begin() as conn:
            if row(conn.execute(select(m.credentials).where(m.credentials.c.id == cred_id))) is not None:
                raise duplicate("credential", cred_id)
            conn.execute(insert(m.credentials).values(**record))
        self.changed()
        return record

    def update_credential(self: IdentityService, cred_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_credential(cred_id)
        cols = {k: values[k] for k in ("user_id", "project_id", "type", "blob") if k in values}
        merged = {**current, **cols}
        if merged["type"] == "ec2" and not merged.get("project_id"):
            raise validation_error("project_id", "credential")
        if "user_id" in cols:
            self.get_user(cols["user_id"])
        extra = {k: v for k, v in values.items() if k not in (*cols, "id", "links")}
        with self.db.begin() as conn:
            conn.execute(
                update(m.credentials)
                .where(m.credentials.c.id == cred_id)
                .values(**cols, extra={**(current["extra"] or {}), **extra})
            )
        self.changed()
        return self.get_credential(cred_id)

    # EC2 credentials (``/v3/users/{id}/credentials/OS-EC2``): credentials of type ``ec2``
    # whose id is the sha256 of the access key, as keystone stores them.
    def create_ec2_credential(self: IdentityService, user_id: str, project_id: str) -> dict[str, Any]:
        self.get_user(user_id)
        self.get_project(project_id)
        blob = {"access": self.cloud.ids.hex(), "secret": self.cloud.ids.hex(), "trust_id": None}
        values = {
            "user_id": user_id,
            "project_id": project_id,
            "type": "ec2",
            "blob": orjson.dumps(blob).decode(),
        }
        return self.create_credential(values)

    def ec2_credentials(self: IdentityService, user_id: str) -> list[dict[str, Any]]:
        self.get_user(user_id)
        return [c for c in self.list_credentials() if c["user_id"] == user_id and c["type"] == "ec2"]

    def get_ec2_credential(self: IdentityService, user_id: str, access: str) -> dict[str, Any]:
        cred = self._cached_row(m.credentials, hashlib.sha256(access.encode()).hexdigest())
        if cred is None or cred["user_id"] != user_id or cred["type"] != "ec2":
            raise not_found("credential", access)
        return cred

    def delete_credential(self: IdentityService, cred_id: str) -> None:
        self.get_credential(cred_id)
        with self.db.begin() as conn:
            conn.execute(delete(m.credentials).where(m.credentials.c.id == cred_id))
        self.changed()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
