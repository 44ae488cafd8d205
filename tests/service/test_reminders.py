"""Reminders and recurrence in TaskService, on PostgreSQL and SQLite: claims with a lease,
each firing once, snooze, a blocked person, recurring tasks moving on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import create_session_maker
from bot.schemas import DoneOutcome, Person, TaskStatus
from bot.services import TaskService
from tests.service.test_due_dates import Clock

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # 14:30 in Moscow
ANNA = Person(telegram_id=4001, username="anna4", language="ru")
BORIS = Person(telegram_id=4002, username="boris4", language="en")
_ids = iter(range(1, 10**9))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession], clock: Clock) -> TaskService:
    return TaskService(session_maker, default_timezone="Europe/Moscow", clock=clock)


async def add(service: TaskService, text: str, person: Person = ANNA) -> int:
    result = await service.add_task(person, text, chat_id=1, message_id=next(_ids))
    return result.task.number


async def test_a_due_reminder_is_claimed_once_and_cleared_after_sending(
    service: TaskService, clock: Clock
) -> None:
    number = await add(service, "Позвонить маме сегодня в 15:00")
    assert await service.claim_reminders(10) == []  # not yet
    clock.now = NOW + timedelta(minutes=31)
    [claimed] = await service.claim_reminders(10)
    assert (claimed.telegram_id, claimed.task.number, claimed.timezone) == (
        4001,
        number,
        "Europe/Moscow",
    )
    assert await service.claim_reminders(10) == []  # leased: nobody else takes it
    await service.reminder_sent(claimed)
    clock.now += timedelta(minutes=5)
    assert await service.claim_reminders(10) == []  # sent: gone
    assert (await service.get_task(ANNA, number)).remind_at is None


async def test_a_firing_not_confirmed_comes_back_after_the_lease(
    service: TaskService, clock: Clock
) -> None:
    await add(service, "Call at 15:00")
    clock.now = NOW + timedelta(hours=1)
    [first] = await service.claim_reminders(10, lease_seconds=60)
    # The worker died before sending: after the lease, the firing is claimed again.
    clock.now += timedelta(seconds=61)
    [again] = await service.claim_reminders(10, lease_seconds=60)
    assert again.task.number == first.task.number
    # A snooze during the send is kept (the clear only takes the lease it set).
    snoozed = await service.remind_at(ANNA, again.task.number, clock.now + timedelta(hours=1))
    await service.reminder_sent(again)
    assert (await service.get_task(ANNA, snoozed.number)).remind_at == snoozed.remind_at


async def test_two_workers_never_take_the_same_firing(
    engine: AsyncEngine, service: TaskService, clock: Clock
) -> None:
    for index in range(40):
        await add(service, f"Task {index} today at 15:00", BORIS if index % 2 else ANNA)
    clock.now = NOW + timedelta(hours=1)
    other = TaskService(create_session_maker(engine), clock=clock)
    first, second = await asyncio.gather(service.claim_reminders(25), other.claim_reminders(25))
    taken = [r.task_id for r in first] + [r.task_id for r in second]
    assert len(taken) == 40
    assert len(set(taken)) == 40


async def test_done_and_blocked_people_get_no_reminders(service: TaskService, clock: Clock) -> None:
    done = await add(service, "Done one at 15:00")
    await service.set_status(ANNA, done, TaskStatus.DONE)
    await add(service, "Blocked at 15:00", BORIS)
    await service.stop_reminders(BORIS.telegram_id)
    clock.now = NOW + timedelta(hours=1)
    assert await service.claim_reminders(10) == []


async def test_snooze_until_tomorrow_morning_in_the_persons_zone(service: TaskService) -> None:
    number = await add(service, "Report")
    until = service.morning_after("Europe/Moscow")
    assert until == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    task = await service.remind_at(ANNA, number, until)
    assert task.remind_at == until
    task = await service.remind_phrase(ANNA, number, "через 2 часа")
    assert task.remind_at == NOW + timedelta(hours=2)
    task = await service.remind_phrase(ANNA, number, "в пятницу")
    assert task.remind_at == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # a date: 09:00 that day


async def test_done_on_a_recurring_task_moves_it_to_the_next_occurrence(
    service: TaskService, clock: Clock
) -> None:
    number = await add(service, "Standup every monday 9:00")
    first = await service.get_task(ANNA, number)
    assert first.due_at == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    clock.now = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday, after the standup
    change = await service.change_status(ANNA, number, TaskStatus.DONE)
    assert change.changed
    task = change.task
    assert (task.number, task.status, task.done_at) == (number, TaskStatus.PENDING, None)
    assert task.due_at == datetime(2026, 12, 14, 6, 0, tzinfo=UTC)
    assert task.remind_at == task.due_at
    [report] = await service.mark_done(ANNA, [number])
    assert report.outcome is DoneOutcome.RESCHEDULED
    assert report.next_due == datetime(2026, 12, 21, 6, 0, tzinfo=UTC)


async def test_recurrence_keeps_the_wall_time_across_daylight_saving(
    service: TaskService, clock: Clock
) -> None:
    await service.set_timezone(ANNA, ZoneInfo("Europe/Berlin"))
    clock.now = datetime(2027, 3, 22, 12, 0, tzinfo=UTC)  # Monday 22 March, winter time
    number = await add(service, "Gym every monday 9:00")
    assert (await service.get_task(ANNA, number)).due_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    clock.now = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    task = (await service.change_status(ANNA, number, TaskStatus.DONE)).task
    assert task.due_at == datetime(2027, 4, 5, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, summer time


async def test_the_due_scan_reads_the_reminder_index_not_the_table(
    engine: AsyncEngine, service: TaskService, clock: Clock
) -> None:
    """The worker's claim must stay flat in the number of tasks kept: on PostgreSQL its
    subquery is an index scan of ix_tasks_remind_at (the plan, with sequential scans off so
    a small test table does not tempt the planner); on SQLite it searches that index."""
    from sqlalchemy import text

    from bot.db.repositories.tasks import _CLAIMABLE

    await add(service, "Something at 15:00")
    scan = _CLAIMABLE.params(now=NOW, most=100)
    async with engine.connect() as connection:
        sql = str(scan.compile(connection, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))
            plan = await connection.execute(text(f"EXPLAIN {sql}"))
        else:
            plan = await connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        lines = " ".join(str(row) for row in plan)
    assert "ix_tasks_remind_at" in lines, lines
