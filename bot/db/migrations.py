"""Bring the database to the newest schema; the bot calls this at start."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Any fixed number works; it only has to be the same for every instance of this bot.
MIGRATION_LOCK_ID = 0x70D0B07


def _migrations_root() -> Path:
    """The checkout beside the package (editable installs, the Docker image), else the cwd."""
    for root in (PROJECT_ROOT, Path.cwd()):
        if (root / "alembic.ini").is_file() and (root / "alembic").is_dir():
            return root
    raise RuntimeError(
        "alembic.ini and alembic/ not found; run the bot from its checkout "
        "(pip install -e .) or from the directory that holds them"
    )


def alembic_config(database_url: str | None = None) -> Config:
    root = _migrations_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["configure_logger"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Run pending migrations in one transaction.

    On PostgreSQL a transaction-scoped advisory lock makes instances that start together
    take turns: the second waits, then finds the schema at head and does nothing.
    """
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
            )
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
