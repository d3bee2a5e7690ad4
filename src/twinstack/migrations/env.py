"""Alembic environment: the engine comes from the caller (``Database.migrate``)."""

from alembic import context

from twinstack.core.db import load_models, make_engine, metadata

config = context.config
load_models()

engine = config.attributes.get("engine")
if engine is None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
