"""Keystone's authentication: turning a ``POST /v3/auth/tokens`` body into a token.

Methods: ``password`` (user by id, or by name and domain), ``token`` (rescoping) and
``application_credential``. Scopes: project, domain, system, or none (then the user's default
project, when the user has a role there). A wrong password and an unknown user get the same 401.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import ApiError, BadRequest, Unauthorized
from twinstack.core.validation import validate
from twinstack.services.identity.service import Scope
from twinstack.services.identity.tokens import TokenData

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService

_ID_OR_NAME = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
}

AUTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "auth": {
            "type": "object",
            "properties": {
                "identity": {
                    "type": "object",
                    "properties": {
                        "methods": {"type": "array", "items": {"type": "string"}},
                        "password": {
                            "type": "object",
                            "properties": {
                                "user": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "name": {"type": "string"},
                                        "password": {"type": "string"},
                                        "domain": _ID_OR_NAME,
                                    },
                                }
                            },
                        },
                        "token": {
                            "type": "object",
                            "properties": {"id": {"type": "string"}},
                            "required": ["id"],
                        },
                        "application_credential": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "name": {"type": "string"},
                                "secret": {"type": "string"},
                                "user": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "name": {"type": "string"},
                                        "domain": _ID_OR_NAME,
                                    },
                                },
                            },
                            "required": ["secret"],
                        },
                    },
                    "required": ["methods"],
                },
                "scope": {
                    "type": ["object", "string"],
                    "properties": {
                        "project": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "name": {"type": "string"},
                                "domain": _ID_OR_NAME,
                            },
                        },
                        "domain": _ID_OR_NAME,
                        "system": {"type": "object", "properties": {"all": {"type": "boolean"}}},
                        "OS-TRUST:trust": {"type": "object"},
                    },
                },
            },
            "required": ["identity"],
        }
    },
    "required": ["auth"],
}

_SUPPORTED_METHODS = ("password", "token", "application_credential")


def authenticate(identity: IdentityService, body: Any) -> tuple[str, TokenData]:
    """Check the credentials in an auth request; return the new token and its data."""
    validate(AUTH_SCHEMA, body)
    auth = body["auth"]
    methods: list[str] = auth["identity"]["methods"]
    if not methods:
        raise BadRequest("Invalid input for field 'identity/methods': [] is too short")
    for method in methods:
        if method not in _SUPPORTED_METHODS:
            raise Unauthorized(f"Attempted to authenticate with an unsupported method: {method}.")
        if method not in auth["identity"]:
            raise BadRequest(
                f"Expecting to find {method} in identity. The server could not comply with the "
                "request since it is either malformed or otherwise incorrect. The client is "
                "assumed to be in error."
            )
    tokens = identity.tokens
    parent: TokenData | None = None
    app_cred: dict[str, Any] | None = None
    if "token" in methods:
        try:
            parent = tokens.validate(auth["identity"]["token"]["id"])
        except ApiError:
            raise Unauthorized("The request you have made requires authentication.") from None
        if parent.app_cred_id:
            raise Unauthorized("Application credentials cannot request a scope change.")
        user_id = parent.user_id
    elif "application_credential" in methods:
        app_cred = _check_app_cred(identity, auth["identity"]["application_credential"])
        user_id = app_cred["user_id"]
    else:
        user_id = _check_password(identity, auth["identity"]["password"])
    user = identity.get_user(user_id)
    if not user["enabled"]:
        raise Unauthorized("The request you have made requires authentication.")

    scope = _requested_scope(identity, auth.get("scope"), user)
    if app_cred is not None:
        cred_scope = Scope("project", app_cred["project_id"])
        if not scope.unscoped and scope != cred_scope:
            raise Unauthorized("Application credentials cannot request a scope.")
        scope = cred_scope
    if parent is not None and parent.scope.type and scope.unscoped:
        scope = parent.scope if "scope" not in auth else scope
    _check_scope(identity, user_id, scope, app_cred)
    all_methods = sorted(set(methods) | set(parent.methods if parent else []), key=methods_order)
    expires = None
    if parent is not None:
        expires = parent.expires_at
    if app_cred is not None and app_cred["expires_at"]:
        expires = _aware(app_cred["expires_at"])
    return tokens.issue(
        user_id,
        all_methods,
        scope,
        expires_at=expires,
        parent_audit_id=parent.audit_ids[0] if parent else None,
        app_cred_id=app_cred["id"] if app_cred else None,
    )


def methods_order(method: str) -> int:
    return _SUPPORTED_METHODS.index(method) if method in _SUPPORTED_METHODS else 99


def _check_password(identity: IdentityService, password: dict[str, Any]) -> str:
    user_ref = password.get("user")
    if not isinstance(user_ref, dict) or "password" not in user_ref:
        raise BadRequest(
            "Expecting to find password in user. The server could not comply with the request "
            "since it is either malformed or otherwise incorrect. The client is assumed to be "
            "in error."
        )
    user = _find_user(identity, user_ref)
    if not identity.check_password(user, user_ref["password"]) or user is None:
        raise Unauthorized("The request you have made requires authentication.")
    return str(user["id"])


def _find_user(identity: IdentityService, ref: dict[str, Any]) -> dict[str, Any] | None:
    try:
        if ref.get("id"):
            return identity.get_user(ref["id"])
        if not ref.get("name"):
            raise BadRequest(
                "Expecting to find id or name in user. The server could not comply with the "
                "request since it is either malformed or otherwise incorrect. The client is "
                "assumed to be in error."
            )
        domain = _find_domain(identity, ref.get("domain"))
        return identity.find_user_by_name(ref["name"], domain["id"])
    except BadRequest:
        raise
    except ApiError:
        return None


def _find_domain(identity: IdentityService, ref: dict[str, Any] | None) -> dict[str, Any]:
    if not ref:
        raise BadRequest(
            "Expecting to find domain in user. The server could not comply with the request "
            "since it is either malformed or otherwise incorrect. The client is assumed to be "
            "in error."
        )
    if ref.get("id"):
        return identity.get_domain(ref["id"])
    if ref.get("name"):
        return identity.find_domain_by_name(ref["name"])
    raise BadRequest("Expecting to find id or name in domain.")


def _check_app_cred(identity: IdentityService, ref: dict[str, Any]) -> dict[str, Any]:
    from twinstack.services.identity.passwords import PasswordHasher

    denied = Unauthorized("The request you have made requires authentication.")
    cred: dict[str, Any] | None = None
    if ref.get("id"):
        cred = identity.get_app_cred_row(ref["id"])
    elif ref.get("name") and ref.get("user"):
        user = _find_user(identity, ref["user"])
        if user is not None:
            cred = identity.find_app_cred_by_name(user["id"], ref["name"])
    else:
        raise BadRequest("Expecting to find id or name and user in application_credential.")
    if cred is None or not PasswordHasher.verify(ref["secret"], cred["secret_hash"]):
        raise denied
    if cred["expires_at"] and _aware(cred["expires_at"]) <= identity.cloud.clock.now():
        raise denied
    return cred


def _requested_scope(identity: IdentityService, scope: Any, user: dict[str, Any]) -> Scope:
    if scope is None or scope == "unscoped":
        default = user.get("default_project_id")
        if default:
            try:
                project = identity.get_project(default)
            except ApiError:
                return Scope()
            if project["enabled"] and identity.effective_roles(user["id"], Scope("project", default)):
                return Scope("project", default)
        return Scope()
    if not isinstance(scope, dict):
        raise BadRequest("Invalid input for field 'scope'.")
    given = [k for k in ("project", "domain", "system", "OS-TRUST:trust") if k in scope]
    if len(given) != 1:
        raise BadRequest("Specify exactly one of project, domain or system as the scope.")
    try:
        if "project" in scope:
            ref = scope["project"]
            if ref.get("id"):
                return Scope("project", identity.get_project(ref["id"])["id"])
            if not ref.get("name"):
                raise BadRequest("Expecting to find id or name in project.")
            domain = _find_domain(identity, ref.get("domain"))
            return Scope("project", identity.find_project_by_name(ref["name"], domain["id"])["id"])
        if "domain" in scope:
            return Scope("domain", _find_domain(identity, scope["domain"])["id"])
        if "system" in scope:
            if scope["system"].get("all") is not True:
                raise BadRequest("Only the system scope 'all' exists.")
            return Scope("system", "all")
    except BadRequest:
        raise
    except ApiError as err:
        raise Unauthorized(err.message) from None
    raise BadRequest("Trusts are not supported by twinstack.")


def _check_scope(
    identity: IdentityService, user_id: str, scope: Scope, app_cred: dict[str, Any] | None
) -> None:
    if scope.unscoped:
        return
    if scope.type == "project":
        project = identity.get_project(scope.id)  # type: ignore[arg-type]
        domain = identity.get_domain(project["domain_id"])
        if not project["enabled"] or not domain["enabled"]:
            raise Unauthorized(f"Project {scope.id} is disabled.")
    elif scope.type == "domain" and not identity.get_domain(scope.id)["enabled"]:  # type: ignore[arg-type]
        raise Unauthorized(f"Domain {scope.id} is disabled.")
    roles = identity.effective_roles(user_id, scope)
    if app_cred is not None:
        allowed = {r["id"] for r in app_cred["roles"]}
        if not allowed <= {r["id"] for r in roles}:
            raise Unauthorized("The application credential's roles are no longer held by its user.")
        return
    if not roles:
        target = {"project": "project", "domain": "domain", "system": "system"}[scope.type or "project"]
        raise Unauthorized(f"User {user_id} has no access to {target} {scope.id}")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
