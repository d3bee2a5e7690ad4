"""Request validation against JSON schemas, as nova, cinder and keystone do it.

``validate(schema, body)`` raises 400 with OpenStack's wording: which field, what was wrong.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from jsonschema import Draft4Validator, FormatChecker

from twinstack.core.errors import BadRequest

_VALIDATORS: dict[int, Draft4Validator] = {}
_FORMATS = FormatChecker()


def _validator(schema: dict[str, Any]) -> Draft4Validator:
    key = id(schema)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = Draft4Validator(schema, format_checker=_FORMATS)
        _VALIDATORS[key] = validator
    return validator


def validate(schema: dict[str, Any], body: Any, *, style: str = "keystone") -> None:
    """Raise ``BadRequest`` when ``body`` does not match ``schema``."""
    validator = _validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return
    path = "/".join(str(p) for p in error.path)
    if style == "nova":
        if path:
            raise BadRequest(f"Invalid input for field/attribute {path}. Value: {error.instance}. {error.message}")
        raise BadRequest(f"Invalid input for field/attribute. {error.message}")
    if path:
        raise BadRequest(f"Invalid input for field '{path}': {error.message}")
    raise BadRequest(f"Invalid input: {error.message}")
