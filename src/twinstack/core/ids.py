"""Seedable id source: with a seed, every id a cloud hands out is reproducible."""

from __future__ import annotations

import random
import uuid


class IdGenerator:
    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed) if seed is not None else None

    def uuid(self) -> str:
        """A dashed UUID4, as nova, cinder, glance and neutron use."""
        if self._rng is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex(self) -> str:
        """A dash-less UUID4, as keystone uses."""
        return self.uuid().replace("-", "")

    def request_id(self) -> str:
        return "req-" + str(uuid.uuid4())
