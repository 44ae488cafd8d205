"""Importing a file through TaskService, on PostgreSQL and SQLite: numbers go on from the
person's last, duplicates are skipped, the cap holds under a race, the file's message never
imports twice, and a failure leaves nothing half-imported."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import User
from bot.schemas import Person, TaskStatus
from bot.services import NoRoomToImport, TaskService
from tests.service.test_task_service import snapshot

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
ALICE = Person(telegram_id=1001, username="alice", language="en")


def clock() -> datetime:
    return NOW


def todo_file(*tasks: dict[str, Any]) -> bytes:
    return json.dumps({"format": "todo-bot", "version": 1, "tasks": list(tasks)}).encode()


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession]) -> TaskService:
    return TaskService(session_maker, default_timezone="Europe/Moscow", clock=clock)


async def test_numbers_go_on_and_duplicates_are_skipped(service: TaskService) -> None:
    for message_id, text in enumerate(("Buy milk", "Call mom tomorrow at 9", "Gone"), start=1):
        await service.add_task(ALICE, text, chat_id=ALICE.telegram_id, message_id=message_id)
    await service.delete_task(ALICE, 3)  # #3 is never handed out again
    content = todo_file(
        {"title": "buy  MILK"},  # a duplicate of #1
        {"title": "Call mom", "due_at": "2026-12-03T06:00:00+00:00", "due_has_time": True},
        {"title": "Call mom"},  # no due date: another task
        {"title": "Plan the trip", "status": "in_progress", "priority": 2},
        {"title": "plan the  trip", "status": "done"},  # again in the file
        {"title": ""},
    )
    preview = await service.preview_import(ALICE, content)
    assert preview.adding == 2
    assert [task.number for task in preview.first] == [4, 5]
    assert (preview.summary.already_there, preview.summary.repeated) == (2, 1)
    assert [(e.reason.value, e.positions) for e in preview.summary.skipped] == [("no_title", (6,))]

    result = await service.import_file(ALICE, content, chat_id=1001, message_id=99)
    assert (result.added, result.numbers) == (2, (4, 5))
    assert result.summary == preview.summary
    trip = await service.get_task(ALICE, 5)
    assert (trip.title, trip.status, trip.priority) == ("Plan the trip", TaskStatus.IN_PROGRESS, 2)
    assert (await service.get_task(ALICE, 4)).due_at is None
    page = await service.list_tasks(ALICE)
    assert (page.open_count, page.done_count) == (4, 0)  # the counters saw every new row

    again = await service.import_file(ALICE, content, chat_id=1001, message_id=99)
    assert (again.added, again.numbers, again.summary) == (2, (4, 5), None)  # nothing twice
    assert (await service.imported_from(ALICE, 1001, 99)).numbers == (4, 5)
    assert (await service.imported_from(ALICE, 1001, 98)).numbers is None
    other_message = await service.import_file(ALICE, content, chat_id=1001, message_id=100)
    assert (other_message.added, other_message.numbers) == (0, None)  # all there already
    added = await service.add_task(ALICE, "Next", chat_id=1001, message_id=4)
    assert added.task.number == 6


async def test_the_cap_holds_when_two_imports_race(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    service = TaskService(session_maker, max_tasks=5, clock=clock)
    await service.add_task(ALICE, "Already here", chat_id=1001, message_id=1)
    first = todo_file(*({"title": f"A{n}"} for n in range(3)))
    second = todo_file(*({"title": f"B{n}"} for n in range(3)))
    assert (await service.preview_import(ALICE, first)).adding == 3  # each fits alone
    results = await asyncio.gather(
        service.import_file(ALICE, first, chat_id=1001, message_id=2),
        service.import_file(ALICE, second, chat_id=1001, message_id=3),
        return_exceptions=True,
    )
    refused = [result for result in results if isinstance(result, NoRoomToImport)]
    assert len(refused) == 1
    assert (refused[0].adding, refused[0].kept, refused[0].limit) == (3, 4, 5)
    page = await service.list_tasks(ALICE)
    assert page.open_count == 4
    with pytest.raises(NoRoomToImport):
        await service.preview_import(ALICE, second)


async def test_a_failure_midway_leaves_nothing_imported(
    service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    for message_id in range(1, 4):
        await service.add_task(ALICE, f"Task {message_id}", chat_id=1001, message_id=message_id)
    await service.delete_task(ALICE, 1)
    await service.delete_task(ALICE, 2)
    # A person whose counter fell behind (restored from a backup, say): the third new task
    # would take #3, which exists, and the database refuses it.
    async with session_maker() as session, session.begin():
        await session.execute(update(User).values(last_task_number=0))
    before = await snapshot(session_maker)
    content = todo_file(*({"title": f"New {n}"} for n in range(5)))
    with pytest.raises(IntegrityError):
        await service.import_file(ALICE, content, chat_id=1001, message_id=50)
    assert await snapshot(session_maker) == before
