"""Async Alembic environment. The URL comes from bot.config, never from alembic.ini."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import DatabaseSettings
from bot.db import Base
from bot.db.search import POSTGRES_INDEX, POSTGRES_VECTOR_COLUMN, SQLITE_TABLE

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    # Tests and bot.db.migrations pass the URL in; the alembic CLI reads the settings.
    url = config.attributes.get("database_url")
    return str(url) if url else DatabaseSettings().database_url


def _include_name(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Leave full-text search (migration 0009) out of the comparison: its objects exist on
    one backend only, PostgreSQL's generated tsvector column and GIN index, SQLite's FTS5
    table (and the tables FTS5 keeps for it), so no model can declare them, and the
    comparison would ask to drop them. tests/service/test_search.py checks they exist."""
    if type_ == "table":
        return name != SQLITE_TABLE and not (name or "").startswith(f"{SQLITE_TABLE}_")
    if type_ == "column":
        return (parent_names.get("table_name"), name) != ("tasks", POSTGRES_VECTOR_COLUMN)
    if type_ == "index":
        return name != POSTGRES_INDEX
    return True


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        # SQLite can only ALTER through table copies; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        # bot.db.migrations runs us on its own connection, inside its advisory lock.
        _run_sync(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
