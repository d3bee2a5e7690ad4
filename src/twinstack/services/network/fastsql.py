"""Hot-path statements straight on SQLite's DB-API connection, inside the caller's transaction.

SQLAlchemy Core costs several times what SQLite does for the small statements a port create
is made of (a row by id, a count, an existence check, an insert). When the database is SQLite,
these few statements run on the same DB-API connection (so the same transaction) with the
conversions SQLAlchemy would do (booleans, JSON, scalar column defaults); on any other
database the callers use Core. Everything else in the service uses Core.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Table


def sqlite_of(conn: Connection) -> sqlite3.Connection | None:
    """The raw SQLite connection under ``conn``, or None for other databases."""
    raw = conn.connection.driver_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


class FastTable:
    """Insert and fetch rows of one table as SQLAlchemy would, without its statement machinery."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [c.name for c in table.columns]
        self.bools = {c.name for c in table.columns if isinstance(c.type, Boolean)}
        self.jsons = {c.name for c in table.columns if isinstance(c.type, JSON)}
        self.defaults = {
            c.name: c.default.arg  # type: ignore[union-attr]
            for c in table.columns
            if c.default is not None and getattr(c.default, "is_scalar", False)
        }
        names = ", ".join(self.columns)
        self.insert_sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(self.columns))})"
        self.select_sql = f"SELECT {names} FROM {table.name}"

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for name in self.columns:
            value = values[name] if name in values else self.defaults.get(name)
            if name in self.jsons:
                value = json.dumps(value)
            elif name in self.bools and value is not None:
                value = int(bool(value))
            out.append(value)
        return tuple(out)

    def insert(self, raw: sqlite3.Connection, values: dict[str, Any]) -> None:
        raw.execute(self.insert_sql, self.params(values))

    def rows(self, raw: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        out = []
        for record in raw.execute(f"{self.select_sql} WHERE {where}", args):
            row = dict(zip(self.columns, record, strict=True))
            for name in self.jsons:
                if row[name] is not None:
                    row[name] = json.loads(row[name])
            for name in self.bools:
                if row[name] is not None:
                    row[name] = bool(row[name])
            out.append(row)
        return out


_TABLES: dict[str, FastTable] = {}


def fast(table: Table) -> FastTable:
    found = _TABLES.get(table.name)
    if found is None:
        found = _TABLES[table.name] = FastTable(table)
    return found
