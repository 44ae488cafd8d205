"""PostgreSQL's fast lane (bot.db.raw): compiled statements and connections lent by the pool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

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


async def _pid(connection: asyncpg.Connection) -> int:
    pid: int = connection.get_server_pid()
    return pid


async def test_connections_come_from_the_engines_pool_and_go_back(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    pool = pg_engine.sync_engine.pool

    async def inside(connection: asyncpg.Connection) -> int:
        assert pool.checkedout() == 1  # type: ignore[attr-defined]
        return await _pid(connection)

    pid = await lanes.run(inside)
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    async with pg_engine.connect() as through_sqlalchemy:
        raw = await through_sqlalchemy.get_raw_connection()
        assert raw.driver_connection.get_server_pid() == pid  # type: ignore[union-attr]


async def test_a_server_error_keeps_the_connection(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    pid = await lanes.run(_pid)

    async def query_a_missing_table(connection: asyncpg.Connection) -> None:
        assert await _pid(connection) == pid
        await connection.fetch("SELECT * FROM no_such_table")

    with pytest.raises(asyncpg.UndefinedTableError):
        await lanes.run(query_a_missing_table)
    assert await lanes.run(_pid) == pid


async def test_a_dropped_connection_is_never_lent_again(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)
    dropped = await lanes.run(_pid)
    admin = await asyncpg.connect(
        pg_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        # The backend exits on its own time: wait for it, so the next statement must fail.
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", dropped)
    finally:
        await admin.close()

    async def select_one(connection: asyncpg.Connection) -> Any:
        return await connection.fetchval("SELECT 1")

    with pytest.raises((asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)):
        await lanes.run(select_one)
    assert await lanes.run(_pid) != dropped
    assert await lanes.run(select_one) == 1


async def test_surplus_connections_are_closed_when_given_back(pg_engine: AsyncEngine) -> None:
    """Beyond the pool's size, a connection is closed on its return, which awaits: that
    must happen inside SQLAlchemy's greenlet bridge, or it fails and leaks the socket."""
    # A pool of two and one overflow connection (create_engine allows half the size).
    engine = create_engine(
        DatabaseSettings(
            database_url=pg_engine.url.render_as_string(hide_password=False), db_pool_size=2
        )
    )
    try:
        lanes = RawConnections(engine)
        started, release = asyncio.Event(), asyncio.Event()
        holding = 0

        async def hold(connection: asyncpg.Connection) -> int:
            nonlocal holding
            holding += 1
            if holding == 3:
                started.set()
            await release.wait()
            return await _pid(connection)

        tasks = [asyncio.create_task(lanes.run(hold)) for _ in range(3)]
        await asyncio.wait_for(started.wait(), 10)
        release.set()
        pids = await asyncio.gather(*tasks)
        assert len(set(pids)) == 3
        assert engine.sync_engine.pool.checkedin() == 2  # type: ignore[attr-defined]
        # One at a time, the pool keeps lending the connection given back last (LIFO), so
        # a quiet bot works on one warm connection instead of cycling through them all.
        again = [await lanes.run(_pid) for _ in range(4)]
        assert len(set(again)) == 1
        assert again[0] in pids
    finally:
        await engine.dispose()


async def test_an_error_between_statements_comes_through(pg_engine: AsyncEngine) -> None:
    lanes = RawConnections(pg_engine)

    async def fail_after_a_statement(connection: asyncpg.Connection) -> None:
        await connection.fetchval("SELECT 1")
        raise LookupError("ours")

    with pytest.raises(LookupError, match="ours"):
        await lanes.run(fail_after_a_statement)
    assert pg_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert await lanes.run(_pid) > 0


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
