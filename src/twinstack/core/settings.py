"""Settings objects: typed fields whose values come from keyword arguments, then environment
variables (``<env_prefix><NAME>``), then the field defaults.

They are msgspec Structs, converted with msgspec (``strict=False``, so ``"8"`` becomes 8 and
``"true"`` becomes True); a field of a container type (list, dict, tuple, nested settings) is
read from the environment as JSON. msgspec imports in a few milliseconds, where pydantic-settings
took about a quarter of the cloud's start-up time.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

import msgspec

SettingsError = msgspec.ValidationError

_SCALARS = (str, int, float, bool, Path)


def _dec_hook(tp: Any, value: Any) -> Any:
    if tp is Path and isinstance(value, str | os.PathLike):
        return Path(value)
    raise NotImplementedError(f"{tp!r}")


def _is_container(tp: Any) -> bool:
    """Whether the environment spells a value of ``tp`` as JSON."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return False
    if origin is not None and args and origin not in (typing.Union, type(int | None)):
        return True  # list[...], dict[...], tuple[...]
    if args:  # a union such as int | None
        return any(_is_container(a) for a in args)
    return isinstance(tp, type) and not issubclass(tp, _SCALARS)


class EnvSettings(msgspec.Struct, kw_only=True):
    """Base class. ``Sub.from_env(**overrides)`` is how a settings object is made."""

    env_prefix: ClassVar[str] = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Keyword arguments, else ``<env_prefix><NAME>`` from ``environ``, else the defaults.

        Raises ``SettingsError`` naming the field when a value has the wrong type.
        """
        environ = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        for field in msgspec.structs.fields(cls):
            raw = environ.get(f"{cls.env_prefix}{field.name}".upper())
            if raw is None:
                continue
            if _is_container(field.type):
                try:
                    data[field.name] = msgspec.json.decode(raw)
                except msgspec.DecodeError:
                    raise SettingsError(f"{cls.env_prefix}{field.name.upper()} is not valid JSON") from None
            else:
                data[field.name] = raw
        data.update(overrides)
        return msgspec.convert(data, cls, strict=False, dec_hook=_dec_hook)
