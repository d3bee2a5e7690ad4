"""Request validation against JSON schemas, as nova, cinder and keystone do it.

``validate(schema, body)`` raises 400 with OpenStack's wording: which field, what was wrong.
Schemas are compiled with fastjsonschema (the fast path, every request); only a body that fails
is validated again with jsonschema, whose errors give the wording.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
from functools import partial
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson

from twinstack.core.errors import BadRequest

# Compiled schemas by content. A schema built per request (a dict that depends on the
# microversion) is a new object each time: by ``id`` alone, a later dict could reuse the id of a
# freed one and get its validator. ``_BY_ID`` is the fast path for the same object again; its
# entries hold the schema itself, so an id in it cannot be reused while the entry lives.
_BY_CONTENT: dict[bytes, Any] = {}
_BY_ID: dict[int, tuple[dict[str, Any], Any]] = {}
_VALIDATORS: dict[bytes, Any] = {}
_MAX_IDS = 1024
_FORMATS = {"uuid": r"^[0-9a-fA-F-]{32,36}$"}


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "twinstack" / "jsonschema"


def _compile(draft: dict[str, Any], key: bytes) -> Any:
    """fastjsonschema's validator for ``draft``. Generating one costs 5-15 ms, so the code is
    kept, marshalled, in the user's cache (like bytecode): a new process loads it in 0.1 ms."""
    digest = hashlib.sha256(
        b"|".join((fastjsonschema.VERSION.encode(), importlib.util.MAGIC_NUMBER, key))
    ).hexdigest()
    path = _cache_dir() / f"{digest}.bin"
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        code = compile(fastjsonschema.compile_to_code(draft, formats=_FORMATS), "<schema>", "exec")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(code))
            os.replace(tmp, path)
        except OSError:  # a read-only home: compile again next time
            pass
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - code fastjsonschema generated from our own schema
    return partial(namespace["validate"], custom_formats=_FORMATS)


def _content_key(schema: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a value JSON cannot hold: the repr still tells schemas apart
        return repr(schema).encode()


def _compiled(schema: dict[str, Any]) -> Any:
    entry = _BY_ID.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    key = _content_key(schema)
    check = _BY_CONTENT.get(key)
    if check is None:
        draft = {"$schema": "http://json-schema.org/draft-04/schema#", **schema}
        check = _compile(draft, key)
        _BY_CONTENT[key] = check
    if len(_BY_ID) >= _MAX_IDS:
        del _BY_ID[next(iter(_BY_ID))]
    _BY_ID[id(schema)] = (schema, check)
    return check


def _validator(schema: dict[str, Any]) -> Any:
    from jsonschema import Draft4Validator, FormatChecker  # only for bodies that fail: it is slow to import

    key = _content_key(schema)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = Draft4Validator(schema, format_checker=FormatChecker())
        _VALIDATORS[key] = validator
    return validator


def first_error(schema: dict[str, Any], body: Any) -> Any:
    """The jsonschema error that best explains why ``body`` fails ``schema``; None if it passes."""
    try:
        _compiled(schema)(body)
        return None
    except fastjsonschema.JsonSchemaException:
        pass
    import jsonschema

    # None when the two validators disagree: trust the one that explains itself.
    return jsonschema.exceptions.best_match(_validator(schema).iter_errors(body))


def validate(schema: dict[str, Any], body: Any, *, style: str = "keystone") -> None:
    """Raise ``BadRequest`` when ``body`` does not match ``schema``."""
    error = first_error(schema, body)
    if error is None:
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
