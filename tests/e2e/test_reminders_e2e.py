"""Reminders from real `python -m bot` processes: two of them on one PostgreSQL database send
each firing once, and after one is killed the other sends what is due."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.config import DatabaseSettings
from bot.db import Task, User, create_engine, create_session_maker
from bot.schemas import Person
from bot.services import TaskService
from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.conftest import START_TIMEOUT, start_bot
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.fake_telegram import User as TgUser
from tests.e2e.process import BotProcess

PEOPLE = range(5001, 5006)


async def write_reminders(database_url: str, tasks: int, seconds_ahead: float) -> list[str]:
    """Each person gets `tasks` new tasks, reminding `seconds_ahead` from now (as another
    process or replica would write them); their titles."""
    engine = create_engine(DatabaseSettings(database_url=database_url))
    service = TaskService(create_session_maker(engine))
    titles = []
    due = datetime.now(UTC) + timedelta(seconds=seconds_ahead)
    try:
        for telegram_id in PEOPLE:
            person = Person(telegram_id=telegram_id, username=f"p{telegram_id}", language="en")
            for index in range(tasks):
                title = f"Task {telegram_id}-{index}-{seconds_ahead}"
                added = await service.add_task(
                    person, title, chat_id=telegram_id, message_id=int(due.timestamp()) + index
                )
                async with engine.begin() as connection:
                    owner = (
                        select(User.username)
                        .where(User.telegram_id == telegram_id)
                        .scalar_subquery()
                    )
                    await connection.execute(
                        update(Task)
                        .where(Task.username == owner, Task.number == added.task.number)
                        .values(remind_at=due)
                    )
                titles.append(title)
    finally:
        await engine.dispose()
    return titles


def delivered(server: FakeTelegram) -> list[str]:
    return [
        message.text
        for telegram_id in PEOPLE
        for message in server.messages(telegram_id)
        if message.from_bot and message.text.startswith("⏰")
    ]


async def wait_for_workers(bots: list[BotProcess]) -> None:
    async with asyncio.timeout(START_TIMEOUT):
        while not all("reminders: checking every" in bot.log() for bot in bots):
            assert all(bot.running for bot in bots), [bot.log() for bot in bots]
            await asyncio.sleep(0.2)


async def test_two_processes_send_each_reminder_once_and_survive_a_kill(tmp_path: Path) -> None:
    database_url = await create_pg_database()
    bots: list[BotProcess] = []
    try:
        async with FakeTelegram() as server:
            for name in ("first", "second"):
                workdir = tmp_path / name
                workdir.mkdir()
                bots.append(await start_bot(server, database_url, workdir))
            await wait_for_workers(bots)
            for telegram_id in PEOPLE:  # each has a chat with the bot
                user = TgUser(telegram_id, f"P{telegram_id}", f"p{telegram_id}", "en")
                server.push_message(user, telegram_id, "/start")
            async with asyncio.timeout(20):
                while not all(server.messages(telegram_id)[1:] for telegram_id in PEOPLE):
                    await asyncio.sleep(0.2)

            titles = await write_reminders(database_url, 4, seconds_ahead=3)
            async with asyncio.timeout(20):
                while len(delivered(server)) < len(titles):
                    await asyncio.sleep(0.2)
            await asyncio.sleep(5)  # more rounds of both workers: nothing is sent twice
            texts = delivered(server)
            assert len(texts) == len(titles)
            assert sorted(text.split(" ", 2)[2] for text in texts) == sorted(titles)

            # One process dies; what falls due afterwards comes from the other.
            await bots[0].kill()
            more = await write_reminders(database_url, 2, seconds_ahead=2)
            async with asyncio.timeout(20):
                while len(delivered(server)) < len(titles) + len(more):
                    await asyncio.sleep(0.2)
            await asyncio.sleep(3)
            assert len(delivered(server)) == len(titles) + len(more)
            assert await bots[1].stop(signal.SIGTERM) == 0
    finally:
        for bot in bots:
            await bot.kill()
        await drop_pg_database(database_url)
