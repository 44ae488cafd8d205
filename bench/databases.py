"""A fresh, migrated database per run: a new PostgreSQL database, or a SQLite file.

The PostgreSQL one is dropped when the run ends, whether it passed, failed or was
interrupted (Ctrl+C cancels the main task, which runs the `finally` below; leftovers.py
covers an interrupt inside that `finally`).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import asyncpg
from sqlalchemy.engine import make_url

from bench import leftovers
from bot.config import DatabaseSettings
from bot.db import create_engine
from bot.db.migrations import upgrade_to_head

Backend = Literal["postgresql", "sqlite"]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Database:
    backend: Backend
    url: str  # the SQLAlchemy URL the bot takes as DATABASE_URL

    @property
    def dsn(self) -> str:
        """The libpq-style URL asyncpg takes (PostgreSQL only)."""
        return asyncpg_dsn(self.url)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(
    backend: Backend, *, postgres_url: str, workdir: Path
) -> AsyncIterator[Database]:
    """An empty database at the newest schema, gone afterwards (SQLite: the caller's dir)."""
    if backend == "sqlite":
        path = workdir / f"bench_{secrets.token_hex(4)}.sqlite3"
        database = Database("sqlite", f"sqlite+aiosqlite:///{path}")
        await migrate(database)
        yield database
        return
    name = f"bench_{secrets.token_hex(6)}"
    leftovers.databases[name] = postgres_url
    await _admin(postgres_url, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=name)
    database = Database("postgresql", url.render_as_string(hide_password=False))
    try:
        await migrate(database)
        yield database
    finally:
        await drop_database(name)


async def drop_database(name: str) -> None:
    """Drop one of ours, closing whatever is still connected to it."""
    await _admin(leftovers.databases[name], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    del leftovers.databases[name]


async def drop_leftovers() -> None:
    for name in list(leftovers.databases):
        await drop_database(name)


async def _admin(postgres_url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def migrate(database: Database) -> None:
    engine = create_engine(DatabaseSettings(database_url=database.url))
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def postgres_version(dsn: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
