"""The database layer: one SQLAlchemy Core engine, one metadata, alembic migrations.

Services declare their tables on ``metadata`` in their own ``models.py`` and write their
migrations in ``twinstack/migrations/versions`` on a branch labelled with the service name.

Rule of the house: never ``await`` while a transaction is open. With SQLite (the default), work
runs on the event loop, so a transaction is atomic with respect to every other request: that is
what keeps concurrent requests from double-allocating an IP, a claim or quota.
"""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

LOG = logging.getLogger(__name__)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The DDL ``metadata.create_all`` issues on SQLite, rendered once and kept with the migrations:
# rendering it costs about 0.1 s at every fresh start. ``python -m twinstack.core.db`` rewrites
# it; ``tests/core/test_migrations.py`` fails when it is stale.
SQLITE_SCHEMA = MIGRATIONS_DIR / "schema.sqlite.sql"


def load_models() -> None:
    """Import every service's tables so that ``metadata`` knows them all."""
    from twinstack.services import all_model_modules

    for module in all_model_modules():
        __import__(module)


def _json_loads(text: str | bytes) -> Any:
    """JSON columns are read with orjson (several times faster); what it refuses (NaN, huge
    integers, which the stdlib writer can produce) falls back to the stdlib reader."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if memory else None,
            json_deserializer=_json_loads,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, json_deserializer=_json_loads)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back on an exception."""
        with self.engine.begin() as conn:
            yield conn

    def migrate(self) -> None:
        """Bring the schema to the newest revision of every service branch.

        A new database gets ``create_all`` and is stamped (fast); an existing one at an older
        revision runs the migrations.
        """
        load_models()
        heads = migration_heads()
        with self.engine.begin() as conn:
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                if names - {"alembic_version"}:
                    raise RuntimeError(f"database {self.url} has tables but no alembic_version")
                _create_all(conn)
                conn.execute(
                    text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
                )
                for head in heads:
                    conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
                return
            current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
        if current != set(heads):
            LOG.info("upgrading database schema from %s to %s", sorted(current), heads)
            run_alembic_upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def render_sqlite_schema() -> str:
    """The statements ``metadata.create_all`` runs on an empty SQLite database, one per line."""
    from sqlalchemy import create_mock_engine

    load_models()
    statements: list[str] = []

    def record(sql: Any, *_args: Any, **_kw: Any) -> None:
        statements.append(" ".join(str(sql.compile(dialect=mock.dialect)).split()))

    mock = create_mock_engine("sqlite://", record)
    metadata.create_all(mock, checkfirst=False)
    return "".join(f"{stmt};\n" for stmt in statements)


def _create_all(conn: Connection) -> None:
    if conn.dialect.name == "sqlite" and SQLITE_SCHEMA.exists():
        for stmt in SQLITE_SCHEMA.read_text().splitlines():
            conn.exec_driver_sql(stmt.rstrip(";"))
    else:
        metadata.create_all(conn)


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


_REVISION_RE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def migration_heads() -> list[str]:
    """The newest revision of every branch, read from the version files.

    Importing alembic costs a third of a second, so a start does not; ``tests/core/
    test_migrations.py`` checks that this agrees with alembic's own answer.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION_RE.findall(path.read_text()))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"].strip()))
        down = ast.literal_eval(found.get("down_revision", "None").strip())
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, (tuple, list)):
            parents.update(down)
    return sorted(revisions - parents)


def alembic_heads() -> list[str]:
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def run_alembic_upgrade(engine: Engine, target: str = "heads") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), target)


if __name__ == "__main__":  # pragma: no cover - a developer's command
    # Through the imported module: run as __main__, this file has a second, empty ``metadata``.
    from twinstack.core import db

    db.SQLITE_SCHEMA.write_text(db.render_sqlite_schema())
    print(f"wrote {db.SQLITE_SCHEMA}")
