"""Tokens: Fernet-encrypted, non-persistent, as keystone's default provider.

A token carries (user, methods, scope, expiry, issue time, audit ids, application credential)
encrypted and authenticated with a key kept in the database, so tokens survive a restart, are
unguessable and cannot be forged. Roles and catalog are computed at validation, as keystone
does, from cached identity data. Revocation is by events (a token's audit id, or everything a
user, project or application credential had before a time), kept in memory and in the database.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import insert, select

from twinstack.core.clock import isotime
from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError, NotFound, Unauthorized
from twinstack.services.identity import models as m
from twinstack.services.identity.service import Scope

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.identity.service import IdentityService

_SCOPE_CODES = {"project": "p", "domain": "d", "system": "s", None: ""}
_SCOPE_NAMES = {v: k for k, v in _SCOPE_CODES.items()}


@dataclass(slots=True)
class TokenData:
    user_id: str
    methods: list[str]
    scope: Scope
    expires_at: datetime
    issued_at: datetime
    audit_ids: list[str]
    app_cred_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def new_audit_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")[:22]


class TokenProvider:
    def __init__(self, cloud: Cloud, identity: IdentityService) -> None:
        self.cloud = cloud
        self.identity = identity
        self._fernet: Fernet | None = None
        self._revoked_audit_ids: dict[str, datetime] = {}
        self._revoked_before: dict[tuple[str, str], datetime] = {}  # (kind, id) -> issued_before
        self._loaded = False
        # Tokens already decrypted and checked, and rendered bodies; both dropped on any identity
        # write. Expiry and revocation are still checked at every use.
        self._decoded: dict[str, TokenData] = {}
        self._rendered: dict[tuple[str, bool], dict[str, Any]] = {}

    def forget_cached(self) -> None:
        self._decoded.clear()
        self._rendered.clear()

    # setup ----------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the key and revocation events (after the database is migrated)."""
        with self.cloud.db.begin() as conn:
            row = conn.execute(select(m.token_keys.c.key).where(m.token_keys.c.id == 1)).first()
            if row is None:
                key = Fernet.generate_key()
                conn.execute(insert(m.token_keys).values(id=1, key=key))
            else:
                key = row[0]
            events = conn.execute(select(m.revocations)).mappings().all()
        self._fernet = Fernet(key)
        for event in events:
            self._remember(event)
        self._loaded = True

    def _remember(self, event: Any) -> None:
        before = _aware(event["issued_before"])
        if event["audit_id"]:
            self._revoked_audit_ids[event["audit_id"]] = before
        if event["user_id"] and event["project_id"]:
            # Both given: only that user's tokens on that project (keystone's grant removal).
            keys = [("user_project", f"{event['user_id']}/{event['project_id']}")]
        else:
            keys = [(kind, event[kind]) for kind in ("user_id", "project_id") if event[kind]]
        if event["app_cred_id"]:
            keys.append(("app_cred_id", event["app_cred_id"]))
        for key in keys:
            if key not in self._revoked_before or self._revoked_before[key] < before:
                self._revoked_before[key] = before

    # issue ----------------------------------------------------------------------------------
    def issue(
        self,
        user_id: str,
        methods: list[str],
        scope: Scope,
        *,
        expires_at: datetime | None = None,
        parent_audit_id: str | None = None,
        app_cred_id: str | None = None,
    ) -> tuple[str, TokenData]:
        assert self._fernet is not None
        now = self.cloud.clock.now()
        default_expiry = now + timedelta(seconds=self.cloud.settings.token_expiration)
        expires = min(expires_at, default_expiry) if expires_at else default_expiry
        audit_ids = [new_audit_id()] + ([parent_audit_id] if parent_audit_id else [])
        payload = [
            1,
            user_id,
            methods,
            _SCOPE_CODES[scope.type],
            scope.id,
            expires.timestamp(),
            now.timestamp(),
            audit_ids,
            app_cred_id,
        ]
        token = self._fernet.encrypt(orjson.dumps(payload)).decode().rstrip("=")
        return token, TokenData(user_id, methods, scope, expires, now, audit_ids, app_cred_id)

    # validate -------------------------------------------------------------------------------
    def decode(self, token: str) -> TokenData:
        """Decrypt a token; raise ``NotFound`` when it is not one of ours."""
        cached = self._decoded.get(token)
        if cached is not None:
            return cached
        assert self._fernet is not None
        try:
            raw = self._fernet.decrypt(token + "=" * (-len(token) % 4))
            (_v, user_id, methods, scope_code, scope_id, exp, iat, audit_ids, app_cred_id) = orjson.loads(raw)
        except (InvalidToken, ValueError, TypeError, orjson.JSONDecodeError):
            raise NotFound(f"Could not find token: {_short(token)}.") from None
        data = TokenData(
            user_id,
            methods,
            Scope(_SCOPE_NAMES.get(scope_code), scope_id),
            datetime.fromtimestamp(exp, UTC),
            datetime.fromtimestamp(iat, UTC),
            audit_ids,
            app_cred_id,
        )
        if len(self._decoded) >= 50_000:
            self._decoded.clear()
        self._decoded[token] = data
        return data

    def validate(self, token: str, *, allow_expired: bool = False) -> TokenData:
        """Return a valid token's data, or raise ``NotFound`` (keystone's answer for a bad token)."""
        data = self.decode(token)
        now = self.cloud.clock.now()
        if data.expires_at <= now and not allow_expired:
            raise NotFound("The token has expired.")
        if self.is_revoked(data):
            raise NotFound("Token has been revoked.")
        try:
            user = self.identity.get_user(data.user_id)
            if not user["enabled"]:
                raise NotFound("User is disabled.")
            self._check_scope_enabled(data.scope)
        except ApiError as err:
            raise NotFound(f"Could not find token: {_short(token)} ({err.message})") from None
        return data

    def is_revoked(self, data: TokenData) -> bool:
        for audit_id in data.audit_ids:
            if audit_id in self._revoked_audit_ids:
                return True
        for key in (
            ("user_id", data.user_id),
            ("project_id", data.scope.id if data.scope.type == "project" else None),
            ("app_cred_id", data.app_cred_id),
            ("user_project", f"{data.user_id}/{data.scope.id}" if data.scope.type == "project" else None),
        ):
            if key[1] is None:
                continue
            before = self._revoked_before.get(key)  # type: ignore[arg-type]
            if before is not None and data.issued_at <= before:
                return True
        return False

    def _check_scope_enabled(self, scope: Scope) -> None:
        if scope.type == "project":
            assert scope.id is not None
            project = self.identity.get_project(scope.id)
            domain = self.identity.get_domain(project["domain_id"])
            if not project["enabled"] or not domain["enabled"]:
                raise NotFound(f"Project {scope.id} is disabled.")
        elif scope.type == "domain":
            assert scope.id is not None
            if not self.identity.get_domain(scope.id)["enabled"]:
                raise NotFound(f"Domain {scope.id} is disabled.")

    def roles_for(self, data: TokenData) -> list[dict[str, Any]]:
        roles = self.identity.effective_roles(data.user_id, data.scope)
        if data.app_cred_id:
            cred = self.identity.get_app_cred_row(data.app_cred_id)
            allowed = {r["id"] for r in (cred["roles"] if cred else [])}
            roles = [r for r in roles if r["id"] in allowed]
        return roles

    def authenticate(self, ctx: RequestContext, token: str) -> None:
        """Fill a request context from an ``X-Auth-Token``; 401 when the token is not valid."""
        try:
            data = self.validate(token)
        except ApiError:
            raise Unauthorized(
                headers={"WWW-Authenticate": f'Keystone uri="{self.cloud.base_url}/identity"'}
            ) from None
        user = self.identity.get_user(data.user_id)
        ctx.user_id = data.user_id
        ctx.user_name = user["name"]
        ctx.user_domain_id = user["domain_id"]
        ctx.auth_token = token
        ctx.app_cred_id = data.app_cred_id
        ctx.token_info = {"methods": data.methods, "audit_ids": data.audit_ids}
        scope = data.scope
        if scope.type == "project":
            project = self.identity.get_project(scope.id)  # type: ignore[arg-type]
            ctx.project_id = project["id"]
            ctx.project_name = project["name"]
            ctx.project_domain_id = project["domain_id"]
        elif scope.type == "domain":
            ctx.domain_id = scope.id
        elif scope.type == "system":
            ctx.system_scope = "all"
        ctx.roles = [r["name"] for r in self.roles_for(data)]

    # render ---------------------------------------------------------------------------------
    def render(self, data: TokenData, *, catalog: bool = True) -> dict[str, Any]:
        """The ``{"token": {...}}`` body keystone returns on issue and validation."""
        key = (data.audit_ids[0], catalog)
        cached = self._rendered.get(key)
        if cached is None:
            if len(self._rendered) >= 10_000:
                self._rendered.clear()
            cached = self._rendered[key] = self._render(data, catalog=catalog)
        return cached

    def _render(self, data: TokenData, *, catalog: bool) -> dict[str, Any]:
        identity = self.identity
        user = identity.get_user(data.user_id)
        user_domain = identity.get_domain(user["domain_id"])
        body: dict[str, Any] = {
            "methods": data.methods,
            "user": {
                "domain": {"id": user_domain["id"], "name": user_domain["name"]},
                "id": user["id"],
                "name": user["name"],
                "password_expires_at": isotime(user["password_expires_at"], micro=True)
                if user["password_expires_at"]
                else None,
            },
            "audit_ids": data.audit_ids,
            "expires_at": isotime(data.expires_at, micro=True),
            "issued_at": isotime(data.issued_at, micro=True),
        }
        scope = data.scope
        if scope.unscoped:
            return {"token": body}
        project_id = None
        if scope.type == "project":
            project = identity.get_project(scope.id)  # type: ignore[arg-type]
            domain = identity.get_domain(project["domain_id"])
            project_id = project["id"]
            body["project"] = {
                "domain": {"id": domain["id"], "name": domain["name"]},
                "id": project["id"],
                "name": project["name"],
            }
            body["is_domain"] = False
        elif scope.type == "domain":
            domain = identity.get_domain(scope.id)  # type: ignore[arg-type]
            body["domain"] = {"id": domain["id"], "name": domain["name"]}
        else:
            body["system"] = {"all": True}
        body["roles"] = [{"id": r["id"], "name": r["name"]} for r in self.roles_for(data)]
        if data.app_cred_id:
            cred = identity.get_app_cred_row(data.app_cred_id)
            if cred:
                body["application_credential"] = {
                    "id": cred["id"],
                    "name": cred["name"],
                    "restricted": not cred["unrestricted"],
                }
        if catalog:
            body["catalog"] = identity.catalog(project_id)
        return {"token": body}

    # revoke ---------------------------------------------------------------------------------
    def revoke(
        self,
        *,
        audit_id: str | None = None,
        user_id: str | None = None,
        project_id: str | None = None,
        app_cred_id: str | None = None,
    ) -> None:
        event = {
            "audit_id": audit_id,
            "user_id": user_id,
            "project_id": project_id,
            "app_cred_id": app_cred_id,
            "issued_before": self.cloud.clock.now(),
        }
        with self.cloud.db.begin() as conn:
            conn.execute(insert(m.revocations).values(**event))
        self._remember(event)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _short(token: str) -> str:
    return token[:12] + "..." if len(token) > 16 else token
