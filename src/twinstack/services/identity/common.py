"""Small helpers the identity service-layer mixins share: keystone's error messages, extras."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from twinstack.core.errors import ApiError, BadRequest, Conflict, NotFound


def not_found(kind: str, ident: str) -> ApiError:
    return NotFound(f"Could not find {kind}: {ident}.")


def duplicate(kind: str, name: str, domain_id: str | None = None) -> ApiError:
    """Keystone's 409 for a name already taken (in a domain, when names are per domain)."""
    where = f" at domain ID {domain_id}" if domain_id is not None else ""
    return Conflict(
        f"Conflict occurred attempting to store {kind} - Duplicate entry found with name {name}{where}."
    )


def validation_error(attribute: str, target: str) -> ApiError:
    """Keystone's ``ValidationError`` wording for a missing attribute."""
    return BadRequest(
        f"Expecting to find {attribute} in {target}. The server could not comply with the request since "
        "it is either malformed or otherwise incorrect. The client is assumed to be in error."
    )


def split_extra(
    values: Mapping[str, Any], columns: Iterable[str], drop: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a request body into known columns and keystone's free-form ``extra`` attributes."""
    known = set(columns)
    dropped = set(drop) | {"id", "links"}
    cols = {k: v for k, v in values.items() if k in known}
    extra = {k: v for k, v in values.items() if k not in known and k not in dropped}
    return cols, extra


def row(result: Any) -> dict[str, Any] | None:
    first = result.mappings().first()
    return dict(first) if first is not None else None


def as_bool(value: str | None) -> bool:
    """Keystone's reading of a boolean query parameter (``enabled=0`` is False)."""
    if value is None:
        return True
    return value.strip().lower() not in ("0", "false", "no", "off", "n", "f")
