"""Request bodies keystone accepts, as JSON schemas (facts from keystone's ``*/schema.py``).

Unknown attributes are allowed where keystone allows them (they become ``extra``).
"""

from __future__ import annotations

from typing import Any

BOOLEAN: dict[str, Any] = {"type": "boolean"}
ID_STRING: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[a-zA-Z0-9-]+$"}
NULLABLE_ID: dict[str, Any] = {
    "type": ["string", "null"],
    "minLength": 1,
    "maxLength": 64,
    "pattern": r"^[a-zA-Z0-9-]+$",
}
DESCRIPTION: dict[str, Any] = {"type": ["string", "null"]}
NAME_64: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"[\S]+"}
NAME_255: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"[\S]+"}
TAG: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^,/]*$"}
TAGS: dict[str, Any] = {"type": "array", "items": TAG, "maxItems": 80, "uniqueItems": True}
URL: dict[str, Any] = {"type": "string", "minLength": 0, "maxLength": 225, "pattern": "^[a-zA-Z0-9+.-]+:.+"}
OPTIONS: dict[str, Any] = {"type": "object"}


def _wrap(
    key: str,
    properties: dict[str, Any],
    *,
    required: tuple[str, ...] = (),
    update: bool = False,
    extra: bool = True,
) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        inner["required"] = list(required)
    if update:
        inner["minProperties"] = 1
    return {"type": "object", "properties": {key: inner}, "required": [key], "additionalProperties": False}


_DOMAIN = {
    "name": NAME_64,
    "description": DESCRIPTION,
    "enabled": BOOLEAN,
    "tags": TAGS,
    "options": OPTIONS,
    "explicit_domain_id": ID_STRING,
}
DOMAIN_CREATE = _wrap("domain", _DOMAIN, required=("name",))
DOMAIN_UPDATE = _wrap("domain", _DOMAIN, update=True)

_PROJECT = {
    "name": NAME_64,
    "description": DESCRIPTION,
    "domain_id": NULLABLE_ID,
    "parent_id": NULLABLE_ID,
    "enabled": BOOLEAN,
    "is_domain": BOOLEAN,
    "tags": TAGS,
    "options": OPTIONS,
}
PROJECT_CREATE = _wrap("project", _PROJECT, required=("name",))
PROJECT_UPDATE = _wrap("project", _PROJECT, update=True)
PROJECT_TAGS = {
    "type": "object",
    "properties": {"tags": TAGS},
    "required": ["tags"],
    "additionalProperties": False,
}

_USER = {
    "name": NAME_255,
    "domain_id": ID_STRING,
    "default_project_id": {"type": ["string", "null"]},
    "description": DESCRIPTION,
    "enabled": BOOLEAN,
    "password": {"type": ["string", "null"]},
    "options": OPTIONS,
    "federated": {"type": "array"},
}
USER_CREATE = _wrap("user", _USER, required=("name",))
USER_UPDATE = _wrap("user", _USER, update=True)
PASSWORD_CHANGE = _wrap(
    "user",
    {"original_password": {"type": "string"}, "password": {"type": "string"}},
    required=("original_password", "password"),
    extra=False,
)

_GROUP = {"name": NAME_255, "domain_id": ID_STRING, "description": DESCRIPTION}
GROUP_CREATE = _wrap("group", _GROUP, required=("name",))
GROUP_UPDATE = _wrap("group", _GROUP, update=True)

_ROLE = {"name": NAME_255, "description": DESCRIPTION, "domain_id": NULLABLE_ID, "options": OPTIONS}
ROLE_CREATE = _wrap("role", _ROLE, required=("name",))
ROLE_UPDATE = _wrap("role", _ROLE, update=True)

_REGION = {
    "id": {"type": "string"},
    "description": DESCRIPTION,
    "parent_region_id": {"type": ["string", "null"]},
}
REGION_CREATE = _wrap("region", _REGION)
REGION_UPDATE = _wrap("region", _REGION, update=True)

_SERVICE = {
    "type": {"type": "string", "minLength": 1, "maxLength": 255},
    "enabled": BOOLEAN,
    "name": {"type": "string", "minLength": 0, "maxLength": 255},
    "description": DESCRIPTION,
}
SERVICE_CREATE = _wrap("service", _SERVICE, required=("type",))
SERVICE_UPDATE = _wrap("service", _SERVICE, update=True)

_ENDPOINT = {
    "service_id": ID_STRING,
    "interface": {"type": "string", "enum": ["admin", "internal", "public"]},
    "region_id": {"type": ["string", "null"]},
    "region": {"type": ["string", "null"]},
    "url": URL,
    "enabled": BOOLEAN,
}
ENDPOINT_CREATE = _wrap("endpoint", _ENDPOINT, required=("service_id", "interface", "url"))
ENDPOINT_UPDATE = _wrap("endpoint", _ENDPOINT, update=True)

_ROLE_REF = {
    "type": "object",
    "properties": {"id": ID_STRING, "name": NAME_255, "domain_id": NULLABLE_ID},
    "minProperties": 1,
    "maxProperties": 2,
    "additionalProperties": False,
}
_ACCESS_RULE = {
    "type": "object",
    "properties": {
        "id": ID_STRING,
        "path": {"type": "string", "minLength": 0, "maxLength": 225},
        "method": {"type": "string", "enum": ["POST", "GET", "HEAD", "PATCH", "PUT", "DELETE"]},
        "service": {"type": "string"},
    },
    "additionalProperties": False,
}
APP_CRED_CREATE = _wrap(
    "application_credential",
    {
        "name": NAME_255,
        "description": DESCRIPTION,
        "secret": {"type": ["string", "null"]},
        "expires_at": {"type": ["string", "null"]},
        "roles": {"type": "array", "items": _ROLE_REF},
        "unrestricted": {"type": ["boolean", "null"]},
        "access_rules": {"type": "array", "items": _ACCESS_RULE},
    },
    required=("name",),
    extra=False,
)

_CREDENTIAL = {
    "blob": {"type": "string"},
    "project_id": {"type": ["string", "null"]},
    "type": {"type": "string"},
    "user_id": {"type": "string"},
}
CREDENTIAL_CREATE = _wrap("credential", _CREDENTIAL, required=("blob", "type", "user_id"))
CREDENTIAL_UPDATE = _wrap("credential", _CREDENTIAL, update=True)
