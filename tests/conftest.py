"""Shared fixtures: real databases for every backend, created and dropped by the test run."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.chat.factory import create_bot, create_dispatcher
from bot.config import DatabaseSettings, Settings
from bot.db import Task, User, create_engine, create_session_maker
from bot.db.base import utcnow
from bot.db.migrations import upgrade_to_head
from bot.services import TaskService
from tests.chat.harness import ChatHarness
from tests.chat.recording import RecordingSession

# A Redis server the run may use, under a key prefix of its own; started by the run when
# nothing answers there.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Where the run may create (and then drops) its own PostgreSQL database.
TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("postgresql", "sqlite")

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # CI must prove every test, PostgreSQL ones included: a skip there is a failure.
    if os.environ.get("CI") == "true" and _skipped and exitstatus == 0:
        print(f"\nCI=true and {len(_skipped)} test(s) were skipped: {_skipped[:5]}")
        session.exitstatus = 1


async def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its SQLAlchemy URL."""
    admin = make_url(TEST_DATABASE_URL)
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(TEST_DATABASE_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin.set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    conn = await asyncpg.connect(_asyncpg_dsn(TEST_DATABASE_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty database per backend for the whole run (PostgreSQL's is dropped after)."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "todo.sqlite3"
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await create_pg_database()
    yield url
    await drop_pg_database(url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The database migrated to head once; each test gets it emptied."""
    engine = create_engine(DatabaseSettings(database_url=database_url))
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session_maker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    maker = create_session_maker(engine)
    yield maker
    async with maker() as session, session.begin():
        await session.execute(delete(Task))
        await session.execute(delete(User))


@pytest.fixture
def task_service(session_maker: async_sessionmaker[AsyncSession]) -> TaskService:
    return TaskService(session_maker, page_size=5)


# -- chat layer -------------------------------------------------------------------------------

TEST_TOKEN = "4242:TEST-token-for-the-recording-session"


@pytest.fixture
def chat(task_service: TaskService) -> ChatHarness:
    """The real dispatcher and bot, with a session that answers like Telegram, offline."""
    return make_chat(task_service)


def make_chat(
    task_service: TaskService, *, clock: Callable[[], datetime] = utcnow, **settings: Any
) -> ChatHarness:
    """A chat with the real bot; `settings` override Settings fields (rate limit, ...), and
    `clock` is what "now" is to the chat layer (the service has its own)."""
    # The tests type faster than any person: only the burst tests want bursts.
    settings.setdefault("burst_gap", 0.0001)
    # The recording Bot API answers at once; Telegram's per-bot rate has its own test.
    settings.setdefault("send_rate", 1000)
    config = Settings(bot_token=TEST_TOKEN, **settings)
    session = RecordingSession()
    bot = create_bot(config, session=session)
    return ChatHarness(create_dispatcher(task_service, config, clock=clock), bot, session)


# -- Redis ------------------------------------------------------------------------------------


async def _redis_answers(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(await cast(Awaitable[bool], client.ping()))
    except (RedisError, OSError):
        return False
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
async def redis_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """TEST_REDIS_URL; when nothing answers there, a redis-server this run starts (on a free
    port, keeping nothing on disk) and stops."""
    if await _redis_answers(TEST_REDIS_URL):
        yield TEST_REDIS_URL
        return
    server = shutil.which("redis-server")
    assert server, f"no Redis at {TEST_REDIS_URL} and no redis-server to start one"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = await asyncio.create_subprocess_exec(
        server,
        *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        *("--dir", str(folder)),
        stdout=asyncio.subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        async with asyncio.timeout(20):
            while not await _redis_answers(url):
                assert process.returncode is None, "redis-server exited at start"
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        await process.wait()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix no other test (or run sharing the server) uses; its keys go after."""
    prefix = f"todo-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    await delete_redis_keys(redis_url, prefix)


def free_port() -> int:
    """A local TCP port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def delete_redis_keys(url: str, prefix: str) -> None:
    """The keys under `prefix`, and no one else's."""
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
