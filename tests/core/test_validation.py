"""Schema validation: the wording of a refusal, and validators kept in the user's cache."""

from __future__ import annotations

import pytest

from twinstack.core import validation
from twinstack.core.errors import BadRequest

SCHEMA = {
    "type": "object",
    "properties": {"server": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}},
    "required": ["server"],
    "additionalProperties": False,
}


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    """An empty cache directory and no validators in memory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(validation, "_BY_CONTENT", {})
    monkeypatch.setattr(validation, "_BY_ID", {})
    return tmp_path / "twinstack" / "jsonschema"


def _check(schema: dict) -> None:  # type: ignore[type-arg]
    validation.validate(schema, {"server": {"id": "0c7c3b1e-2b5c-4b6e-9a55-0123456789ab"}})
    with pytest.raises(BadRequest) as err:
        validation.validate(schema, {"server": {"id": "not-a-uuid"}}, style="nova")
    assert err.value.message.startswith("Invalid input for field/attribute server/id.")
    with pytest.raises(BadRequest, match="Additional properties are not allowed"):
        validation.validate(schema, {"server": {}, "extra": 1})


def test_validator_is_compiled_once_then_loaded_from_the_cache(fresh) -> None:  # type: ignore[no-untyped-def]
    _check(dict(SCHEMA))
    cached = list(fresh.iterdir())
    assert len(cached) == 1
    validation._BY_CONTENT.clear()
    validation._BY_ID.clear()
    _check(dict(SCHEMA))  # a new dict with the same content, as in a new process
    assert list(fresh.iterdir()) == cached


def test_a_damaged_cache_entry_is_compiled_again(fresh) -> None:  # type: ignore[no-untyped-def]
    _check(dict(SCHEMA))
    (entry,) = fresh.iterdir()
    entry.write_bytes(b"\x00garbage")
    validation._BY_CONTENT.clear()
    validation._BY_ID.clear()
    _check(dict(SCHEMA))
    assert entry.read_bytes() != b"\x00garbage"
