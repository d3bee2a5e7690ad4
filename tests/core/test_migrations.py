"""The alembic migrations build exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from twinstack.core.db import (
    SQLITE_SCHEMA,
    Database,
    alembic_heads,
    load_models,
    make_engine,
    metadata,
    migration_heads,
    render_sqlite_schema,
    run_alembic_upgrade,
)


def test_migrations_match_models(tmp_path) -> None:  # type: ignore[no-untyped-def]
    load_models()
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    run_alembic_upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), metadata)
        heads = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    assert diff == [], f"models and migrations differ: {diff}"
    assert heads == set(migration_heads()) == set(alembic_heads())
    engine.dispose()


def test_prerendered_sqlite_schema_is_current() -> None:
    """A fresh SQLite cloud runs the committed DDL; it must be what the models declare."""
    # Index order within a table follows set order, which varies between processes.
    committed = sorted(SQLITE_SCHEMA.read_text().splitlines())
    assert committed == sorted(render_sqlite_schema().splitlines()), (
        "models changed: run `python -m twinstack.core.db` to rewrite migrations/schema.sqlite.sql"
    )


def test_fresh_database_from_prerendered_schema_matches_models(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), metadata)
        heads = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    assert diff == []
    assert heads == set(migration_heads())
    db.dispose()
