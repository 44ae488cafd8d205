"""Due dates, time zones and the views by date, in TaskService, on PostgreSQL and SQLite.

"Now" is fixed through the service's clock: Wednesday 2 December 2026, 14:30 in Moscow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.schemas import Person, TaskFilter, TaskStatus
from bot.services import DueNotUnderstood, InvalidDate, TaskService
from bot.services.zones import resolve_zone
from tests.service.test_task_service import snapshot

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
ANNA = Person(telegram_id=3001, username="anna", language="ru")
_ids = iter(range(1, 10**9))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession], clock: Clock) -> TaskService:
    return TaskService(session_maker, page_size=5, default_timezone="Europe/Moscow", clock=clock)


async def add(service: TaskService, text: str, person: Person = ANNA) -> int:
    result = await service.add_task(person, text, chat_id=1, message_id=next(_ids))
    return result.task.number


def local(moment: datetime | None, zone: ZoneInfo = MOSCOW) -> str:
    assert moment is not None
    return moment.astimezone(zone).strftime("%a %d.%m %H:%M")


async def test_a_date_phrase_becomes_the_due_date(service: TaskService) -> None:
    number = await add(service, "Позвонить маме завтра в 9\nне забыть про подарок")
    task = await service.get_task(ANNA, number)
    assert (task.title, task.description) == ("Позвонить маме", "не забыть про подарок")
    assert local(task.due_at) == "Thu 03.12 09:00"
    assert task.due_at is not None
    assert task.due_at.utcoffset() == timedelta(0)  # stored in UTC
    assert task.due_has_time
    assert task.remind_at == task.due_at  # a due time is when to remind

    number = await add(service, "Pay rent 25.12")
    task = await service.get_task(ANNA, number)
    assert (task.title, local(task.due_at), task.due_has_time) == (
        "Pay rent",
        "Fri 25.12 00:00",
        False,
    )
    assert task.remind_at is None  # a date alone: the daily digest's, not a reminder

    number = await add(service, "Standup every monday 9:00")
    task = await service.get_task(ANNA, number)
    assert (task.title, task.recurrence) == ("Standup", "FREQ=WEEKLY;BYDAY=MO")
    assert local(task.due_at) == "Mon 07.12 09:00"


@pytest.mark.parametrize("text", ["Buy 2 milk", "Call 911", "Read 1984", "Купить 2 литра молока"])
async def test_numbers_that_are_not_dates_stay_in_the_title(
    service: TaskService, text: str
) -> None:
    task = await service.get_task(ANNA, await add(service, text))
    assert (task.title, task.due_at) == (text, None)


async def test_a_date_that_does_not_exist_is_refused(
    service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await add(service, "existing")
    before = await snapshot(session_maker)
    with pytest.raises(InvalidDate):
        await add(service, "Pay rent 31.02")
    assert await snapshot(session_maker) == before


async def test_due_dates_are_read_in_the_persons_zone(service: TaskService, clock: Clock) -> None:
    zone = resolve_zone("New York")
    assert zone is not None
    await service.set_timezone(ANNA, zone)
    assert (await service.zone_of(ANNA)).chosen
    task = await service.get_task(ANNA, await add(service, "Call tomorrow at 9"))
    new_york = ZoneInfo("America/New_York")
    assert local(task.due_at, new_york) == "Thu 03.12 09:00"
    assert task.due_at == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


async def test_recurrence_keeps_local_time_across_a_daylight_saving_change(
    service: TaskService, clock: Clock
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    await service.set_timezone(ANNA, berlin)
    clock.now = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)  # a Wednesday, winter time (UTC+1)
    task = await service.get_task(ANNA, await add(service, "Standup every monday 9:00"))
    assert task.due_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # summer time since the 28th
    assert local(task.due_at, berlin) == "Mon 29.03 09:00"
    clock.now = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # Saturday, before the change
    task = await service.get_task(ANNA, await add(service, "Call in 24 hours"))
    assert task.due_at == datetime(2027, 3, 28, 12, 0, tzinfo=UTC)  # elapsed, not wall, time


async def test_setting_and_clearing_a_due_date(service: TaskService) -> None:
    number = await add(service, "Report")
    task = await service.set_due(ANNA, number, "в пятницу в 18:00")
    assert (task.title, local(task.due_at), task.remind_at) == (
        "Report",
        "Fri 04.12 18:00",
        task.due_at,
    )
    task = await service.set_due(ANNA, number, "tomorrow")
    assert (local(task.due_at), task.due_has_time, task.remind_at) == (
        "Thu 03.12 00:00",
        False,
        None,
    )
    task = await service.clear_due(ANNA, number)
    assert (task.due_at, task.remind_at, task.recurrence) == (None, None, None)
    for phrase in ("whenever", "31.02"):
        with pytest.raises((DueNotUnderstood, InvalidDate)):
            await service.set_due(ANNA, number, phrase)
    assert (await service.get_task(ANNA, number)).due_at is None


async def test_today_and_upcoming(service: TaskService) -> None:
    overdue = await add(service, "Overdue yesterday")
    await service.set_due(ANNA, overdue, "01.12.2026")
    today = await add(service, "Today at 18:00")
    soon = await add(service, "Friday thing в пятницу")
    later = await add(service, "Next month 15.01")
    await add(service, "No date")
    done = await add(service, "Done today at 10")
    await service.set_status(ANNA, done, TaskStatus.DONE)

    view = await service.due_soon(ANNA, 1, overdue=True)
    assert [task.number for task in view.tasks] == [overdue, today]
    assert view.today.isoformat() == "2026-12-02"
    assert view.zone.name == "Europe/Moscow"
    assert not view.zone.chosen

    view = await service.due_soon(ANNA, 7, overdue=False)
    assert [task.number for task in view.tasks] == [today, soon]
    assert later not in [task.number for task in view.tasks]


async def test_the_list_puts_overdue_first_then_by_date_then_the_rest(
    service: TaskService,
) -> None:
    undated = await add(service, "Undated")
    friday = await add(service, "Friday в пятницу")
    overdue = await add(service, "Overdue 30.11.2026")
    busy = await add(service, "Busy")
    await service.set_status(ANNA, busy, TaskStatus.IN_PROGRESS)
    tomorrow = await add(service, "Tomorrow завтра")
    page = await service.list_tasks(ANNA, TaskFilter.OPEN)
    assert [task.number for task in page.items] == [busy, overdue, tomorrow, friday, undated]


async def test_a_new_person_gets_the_default_zone(
    session_maker: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
) -> None:
    service = TaskService(session_maker, default_timezone="Asia/Tokyo", clock=clock)
    user = await service.sync_user(Person(telegram_id=3002, username="kenji", language="en"))
    assert (user.timezone, user.timezone_chosen) == ("Asia/Tokyo", False)
