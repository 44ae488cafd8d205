"""PostgreSQL's fast lane (bot.db.raw): compiled statements and connections lent by the pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import DatabaseSettings
from bot.db import Task, create_engine, create_session_maker
from bot.db.migrations import upgrade_to_head
from bot.db.raw import RawConnections, compile_raw
from bot.schemas import Person, TaskStatus
from bot.services import TaskService
from bot.services import statements as sql
from tests.conftest import create_pg_database, drop_pg_database

# The dialect the bot's engine uses on PostgreSQL.
DIALECT: Dialect = make_url("postgresql+asyncpg://").get_dialect()()


def test_parameters_are_placed_by_name_and_processed_by_type() -> None:
    raw = compile_raw(sql.SET_STATUS, DIALECT)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    arguments = raw.arguments(
        {"tg_id": 7, "num": 3, "new_status": TaskStatus.DONE, "at": at, "done_time": None}
    )
    # $1 is the status (used twice in the text), as the enum's stored value.
    assert arguments == ["done", at, None, 7, 3]
    assert raw.sql.count("$1") == 2


def test_values_bound_in_the_statement_are_fixed_at_compile_time() -> None:
    raw = compile_raw(sql.MARK_DONE[True], DIALECT)
    at = datetime(2026, 1, 2, tzinfo=UTC)
    arguments = raw.arguments({"tg_id": 7, "nums": [1, 2], "at": at})
    assert arguments.count("done") == 2  # SET status = 'done' ... AND status != 'done'
    assert [1, 2] in arguments


def test_a_missing_parameter_is_an_error_not_a_null() -> None:
    with pytest.raises(KeyError, match="num"):
        compile_raw(sql.GET_TASK, DIALECT).arguments({"tg_id": 7})


def test_expanding_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="expanding"):
        compile_raw(sql.MARK_DONE[False], DIALECT)
    statement = select(Task.number).where(Task.number.in_(bindparam("n", expanding=True)))
    with pytest.raises(ValueError, match="expanding"):
        compile_raw(statement, DIALECT)


@pytest.fixture
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    url = await create_pg_database()
    engine = create_engine(DatabaseSettings(database_url=url, db_pool_size=1))
    try:
        await upgrade_to_head(engine)
        yield engine
    finally:
        await engine.dispose()
        await drop_pg_database(url)


async def test_connections_come_from_the_engines_pool_and_go_back(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    async with lanes.connect() as connection:
        pid = connection.get_server_pid()
        assert pg_engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert pg_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with pg_engine.connect() as through_sqlalchemy:
        raw = await through_sqlalchemy.get_raw_connection()
        assert raw.driver_connection.get_server_pid() == pid  # type: ignore[union-attr]


async def test_a_server_error_keeps_the_connection(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    async with lanes.connect() as connection:
        pid = connection.get_server_pid()

    async def query_a_missing_table() -> None:
        async with lanes.connect() as connection:
            assert connection.get_server_pid() == pid
            await connection.fetch("SELECT * FROM no_such_table")

    with pytest.raises(asyncpg.UndefinedTableError):
        await query_a_missing_table()
    async with lanes.connect() as connection:
        assert connection.get_server_pid() == pid


async def test_a_dropped_connection_is_never_lent_again(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    async with lanes.connect() as connection:
        dropped = connection.get_server_pid()
    admin = await asyncpg.connect(
        pg_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        # The backend exits on its own time: wait for it, so the next statement must fail.
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", dropped)
    finally:
        await admin.close()

    async def query() -> None:
        async with lanes.connect() as connection:
            await connection.fetch("SELECT 1")

    with pytest.raises((asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)):
        await query()
    async with lanes.connect() as connection:
        assert connection.get_server_pid() != dropped
        assert await connection.fetchval("SELECT 1") == 1


async def test_the_service_survives_a_dropped_connection(pg_engine: AsyncEngine) -> None:
    """The retry in the service takes a fresh connection after the broken one is dropped."""
    service = TaskService(create_session_maker(pg_engine), retry_delay=0)
    alice = Person(telegram_id=1, username="alice", language="en")
    await service.add_task(alice, "first", chat_id=1, message_id=1)
    admin = await asyncpg.connect(
        pg_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    task = await service.get_task(alice, 1)
    assert task.title == "first"
