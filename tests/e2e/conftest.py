"""The real bot process against the fake Bot API server and a fresh database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.process import BotProcess

# A cold `import aiogram` takes seconds on two cores; first getUpdates can take a while.
START_TIMEOUT = 60


@dataclass
class RunningBot:
    server: FakeTelegram
    process: BotProcess
    database_url: str
    # What the bot confirmed, to check against the database after it stops:
    # (telegram id, task number) -> title
    confirmed: dict[tuple[int, int], str] = field(default_factory=dict)


async def start_bot(
    server: FakeTelegram,
    database_url: str,
    workdir: Path,
    args: Sequence[str] = (),
    **extra_env: str,
) -> BotProcess:
    process = BotProcess(
        {
            "BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.base_url,
            "DATABASE_URL": database_url,
            "POLLING_TIMEOUT": "5",
            "LOG_LEVEL": "INFO",
            # The walkthroughs type faster than a person; flood control has its own test.
            "RATE_LIMIT_UPDATES": "1000",
            "BURST_GAP": "0.001",
            **extra_env,
        },
        workdir,
        args,
    )
    await process.start()
    return process


async def wait_for_polling(server: FakeTelegram, process: BotProcess) -> None:
    """Until the bot's first getUpdates; a bot that dies at start fails at once (the server's
    predicate is only re-checked on a request, which a dead bot never makes)."""
    assert process.process is not None
    polling = asyncio.create_task(server.wait_until(lambda: server.polling))
    exited = asyncio.create_task(process.process.wait())
    try:
        async with asyncio.timeout(START_TIMEOUT):
            await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
    except TimeoutError:
        raise AssertionError(f"the bot did not start polling:\n{process.log()}") from None
    finally:
        polling.cancel()
        exited.cancel()
    assert process.running, f"the bot exited at start:\n{process.log()}"


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
async def running_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningBot]:
    """One bot process per module and backend (starting one costs seconds)."""
    workdir = tmp_path_factory.mktemp("bot")
    if request.param == "postgresql":
        database_url = await create_pg_database()
    else:
        database_url = f"sqlite+aiosqlite:///{workdir / 'todo.sqlite3'}"
    async with FakeTelegram() as server:
        process = await start_bot(server, database_url, workdir)
        try:
            await wait_for_polling(server, process)
            yield RunningBot(server, process, database_url)
        finally:
            await process.kill()
            if request.param == "postgresql":
                await drop_pg_database(database_url)
