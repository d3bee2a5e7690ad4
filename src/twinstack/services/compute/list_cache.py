"""Rendered server-list pages, reused while nothing in the database has changed.

Clients poll ``GET /servers/detail`` (Rally, Tempest's waiters, dashboards): with nothing
changed between two identical requests the answer is the same bytes. A page is kept with the
database's change stamp (SQLite's ``total_changes`` of the connection plus ``PRAGMA
data_version``, which moves with every commit made by another connection); any write anywhere,
including the network service's, makes every kept page stale. The key holds everything else a
page depends on: the path and query, the base URL, who asks (project, user, roles) and the
microversion. On a database other than SQLite nothing is kept.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twinstack.core.db import Database


class ListCache:
    def __init__(self, db: Database, max_entries: int = 64, max_bytes: int = 32 << 20) -> None:
        self.db = db
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.enabled = db.engine.dialect.name == "sqlite"
        self._pages: OrderedDict[Hashable, tuple[tuple[int, int, int], bytes]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def stamp(self) -> tuple[int, int, int] | None:
        """What the database looks like now: equal stamps mean no write in between."""
        raw = self.db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if not isinstance(conn, sqlite3.Connection):
                return None
            (version,) = conn.execute("PRAGMA data_version").fetchone()
            return (id(conn), conn.total_changes, int(version))
        finally:
            raw.close()

    def get_or_render(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The kept page for ``key`` if the database is unchanged since, else ``render()``."""
        if not self.enabled:
            return render()
        stamp = self.stamp()
        if stamp is None:
            self.enabled = False
            return render()
        found = self._pages.get(key)
        if found is not None and found[0] == stamp:
            self._pages.move_to_end(key)
            self.hits += 1
            return found[1]
        self.misses += 1
        body = render()
        self._put(key, stamp, body)
        return body

    def _put(self, key: Hashable, stamp: tuple[int, int, int], body: bytes) -> None:
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1])
        if len(body) > self.max_bytes // 4:
            return
        self._pages[key] = (stamp, body)
        self._bytes += len(body)
        while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, dropped) = self._pages.popitem(last=False)
            self._bytes -= len(dropped)

    def clear(self) -> None:
        self._pages.clear()
        self._bytes = 0
