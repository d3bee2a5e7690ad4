"""Request validation against JSON schemas, as nova, cinder and keystone do it.

``validate(schema, body)`` raises 400 with OpenStack's wording: which field, what was wrong.
Schemas are compiled with fastjsonschema (the fast path, every request); only a body that fails
is validated again with jsonschema, whose errors give the wording.
"""

from __future__ import annotations

from typing import Any

import fastjsonschema

from twinstack.core.errors import BadRequest

_VALIDATORS: dict[int, Any] = {}
_COMPILED: dict[int, Any] = {}


def _compiled(schema: dict[str, Any]) -> Any:
    key = id(schema)
    check = _COMPILED.get(key)
    if check is None:
        draft = {"$schema": "http://json-schema.org/draft-04/schema#", **schema}
        check = _COMPILED[key] = fastjsonschema.compile(draft, formats={"uuid": r"^[0-9a-fA-F-]{32,36}$"})
    return check


def _validator(schema: dict[str, Any]) -> Any:
    from jsonschema import Draft4Validator, FormatChecker  # only for bodies that fail: it is slow to import

    key = id(schema)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = Draft4Validator(schema, format_checker=FormatChecker())
        _VALIDATORS[key] = validator
    return validator


def validate(schema: dict[str, Any], body: Any, *, style: str = "keystone") -> None:
    """Raise ``BadRequest`` when ``body`` does not match ``schema``."""
    try:
        _compiled(schema)(body)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    import jsonschema

    validator = _validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:  # the two validators disagree; trust the one that explains itself
        return
    path = "/".join(str(p) for p in error.path)
    if style == "nova":
        if path:
            raise BadRequest(
                f"Invalid input for field/attribute {path}. Value: {error.instance}. {error.message}"
            )
        raise BadRequest(f"Invalid input for field/attribute. {error.message}")
    if path:
        raise BadRequest(f"Invalid input for field '{path}': {error.message}")
    raise BadRequest(f"Invalid input: {error.message}")
