"""TaskService against real PostgreSQL and SQLite (every test runs on both)."""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import Task, TaskTag, User
from bot.schemas import DoneOutcome, Person, TaskFilter, TaskStatus
from bot.services import (
    EmptyTitle,
    InvalidTags,
    InvalidText,
    TaskLimitReached,
    TaskNotFound,
    TaskService,
    TextTooLong,
    UnknownTag,
)

ALICE = Person(telegram_id=1001, username="Alice", language="en")
BOB = Person(telegram_id=1002, username="bob", language="ru")
_message_ids = iter(range(1, 10**9))


async def add(service: TaskService, person: Person, text: str) -> int:
    result = await service.add_task(
        person, text, chat_id=person.telegram_id, message_id=next(_message_ids)
    )
    return result.task.number


async def snapshot(maker: async_sessionmaker[AsyncSession]) -> tuple[Any, ...]:
    """Every row of both tables, to prove a refused call changed nothing."""
    async with maker() as session:
        users = (await session.execute(select(User.__table__).order_by(User.username))).all()
        tasks = (await session.execute(select(Task.__table__).order_by(Task.id))).all()
    return tuple(users), tuple(tasks)


async def owners(maker: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    async with maker() as session:
        rows = await session.execute(select(User.telegram_id, User.username))
        return {telegram_id: username for telegram_id, username in rows}


# -- text -----------------------------------------------------------------------------------


async def test_add_splits_title_and_description(task_service: TaskService) -> None:
    result = await task_service.add_task(
        ALICE, "  Buy milk  \n\n 2 litres\nskimmed \n", chat_id=1, message_id=1
    )
    assert result.created
    assert result.task.number == 1
    assert result.task.title == "Buy milk"
    assert result.task.description == "2 litres\nskimmed"
    assert result.task.status is TaskStatus.PENDING
    assert result.task.created_at.tzinfo is not None
    assert result.task.created_at.utcoffset() == UTC.utcoffset(None)
    assert result.task.done_at is None


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold</b> & <a href='x'>link</a>",
        "He said \"hi\" and 'bye'",
        "'; DROP TABLE tasks;--",
        "Emoji 🧪🇺🇦 and ZWJ 👩‍💻",
        "x" * 256,
        "Title\n" + "d" * 3000,
    ],
)
async def test_text_is_stored_exactly_as_written(task_service: TaskService, text: str) -> None:
    number = await add(task_service, ALICE, text)
    task = await task_service.get_task(ALICE, number)
    title, _, description = text.partition("\n")
    assert task.title == title
    assert task.description == (description or None)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", EmptyTitle),
        ("   \n\t  ", EmptyTitle),
        ("x" * 3258, TextTooLong),
        ("Title\n" + "d" * 3001, TextTooLong),
        ("nul \x00 inside", InvalidText),
    ],
)
async def test_bad_text_is_refused_and_changes_nothing(
    task_service: TaskService,
    session_maker: async_sessionmaker[AsyncSession],
    text: str,
    error: type[Exception],
) -> None:
    await add(task_service, ALICE, "existing")
    before = await snapshot(session_maker)
    with pytest.raises(error):
        await add(task_service, ALICE, text)
    with pytest.raises(error):
        await task_service.edit_task(ALICE, 1, text)
    assert await snapshot(session_maker) == before


async def test_too_long_error_names_the_limit(task_service: TaskService) -> None:
    with pytest.raises(TextTooLong) as info:
        await add(task_service, ALICE, "x" * 3300)
    assert (info.value.field, info.value.limit, info.value.length) == ("text", 3256, 3300)
    with pytest.raises(TextTooLong) as info:
        await add(task_service, ALICE, "Title\n" + "d" * 3001)
    assert (info.value.field, info.value.limit, info.value.length) == ("description", 3000, 3001)


@pytest.mark.parametrize(
    ("text", "title", "description"),
    [
        # A sentence that fits becomes the title; the rest opens the description.
        (
            "Call the bank. " + "Ask about the card fee and " * 12 + "more\nSecond line",
            "Call the bank.",
            ("Ask about the card fee and " * 12 + "more\nSecond line"),
        ),
        # No sentence end: cut at the last space that fits.
        ("word " * 60, ("word " * 51).strip(), ("word " * 9).strip()),
        # Not even a space: cut at the limit.
        ("y" * 300, "y" * 256, "y" * 44),
    ],
)
async def test_a_long_first_line_is_split_not_refused(
    task_service: TaskService, text: str, title: str, description: str
) -> None:
    number = await add(task_service, ALICE, text)
    task = await task_service.get_task(ALICE, number)
    assert (task.title, task.description) == (title, description)
    assert len(task.title) <= 256


# -- numbers --------------------------------------------------------------------------------


async def test_numbers_are_per_person_and_never_reused(task_service: TaskService) -> None:
    assert [await add(task_service, ALICE, f"a{i}") for i in range(3)] == [1, 2, 3]
    assert await add(task_service, BOB, "b1") == 1
    await task_service.delete_task(ALICE, 3)
    await task_service.delete_task(ALICE, 2)
    assert await add(task_service, ALICE, "a4") == 4


async def test_concurrent_adds_get_distinct_numbers(task_service: TaskService) -> None:
    await task_service.sync_user(ALICE)
    numbers = await asyncio.gather(*(add(task_service, ALICE, f"t{i}") for i in range(50)))
    assert sorted(numbers) == list(range(1, 51))


@pytest.mark.parametrize("number", [0, -1, 2**63, 10**30])
async def test_out_of_range_numbers_are_not_found(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession], number: int
) -> None:
    await add(task_service, ALICE, "existing")
    before = await snapshot(session_maker)
    for call in (
        task_service.get_task(ALICE, number),
        task_service.set_status(ALICE, number, TaskStatus.DONE),
        task_service.edit_task(ALICE, number, "x"),
        task_service.delete_task(ALICE, number),
    ):
        with pytest.raises(TaskNotFound):
            await call
    reports = await task_service.mark_done(ALICE, [number])
    assert [r.outcome for r in reports] == [DoneOutcome.NOT_FOUND]
    assert await snapshot(session_maker) == before


# -- idempotency ----------------------------------------------------------------------------


async def test_same_source_message_makes_one_task(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    first = await task_service.add_task(ALICE, "Once", chat_id=5, message_id=77)
    again = await task_service.add_task(ALICE, "Once", chat_id=5, message_id=77)
    assert first.created
    assert not again.created
    assert again.task == first.task
    assert (await add(task_service, ALICE, "next")) == 2  # the retry consumed no number
    _, tasks = await snapshot(session_maker)
    assert len(tasks) == 2


# -- statuses -------------------------------------------------------------------------------


async def test_status_moves_any_way_and_done_at_follows(task_service: TaskService) -> None:
    await add(task_service, ALICE, "t")
    task = await task_service.set_status(ALICE, 1, TaskStatus.IN_PROGRESS)
    assert (task.status, task.done_at) == (TaskStatus.IN_PROGRESS, None)
    task = await task_service.set_status(ALICE, 1, TaskStatus.DONE)
    assert task.status is TaskStatus.DONE
    assert task.done_at is not None
    done_at = task.done_at
    again = await task_service.set_status(ALICE, 1, TaskStatus.DONE)
    assert again.done_at == done_at  # pressing "done" twice keeps the first moment
    task = await task_service.set_status(ALICE, 1, TaskStatus.PENDING)
    assert (task.status, task.done_at) == (TaskStatus.PENDING, None)


async def test_mark_done_reports_per_number(task_service: TaskService) -> None:
    for title in ("a", "b", "c"):
        await add(task_service, ALICE, title)
    await task_service.set_status(ALICE, 2, TaskStatus.DONE)
    await add(task_service, BOB, "bob's 4th?")
    reports = await task_service.mark_done(ALICE, [1, 2, 9, 1, 0])
    assert [(r.number, r.outcome) for r in reports] == [
        (1, DoneOutcome.DONE),
        (2, DoneOutcome.ALREADY_DONE),
        (9, DoneOutcome.NOT_FOUND),
        (0, DoneOutcome.NOT_FOUND),
    ]
    assert reports[0].title == "a"
    assert (await task_service.get_task(ALICE, 1)).done_at is not None
    assert (await task_service.get_task(ALICE, 3)).status is TaskStatus.PENDING


# -- listing --------------------------------------------------------------------------------


async def test_list_orders_open_tasks_and_pages(task_service: TaskService) -> None:
    for i in range(1, 13):
        await add(task_service, ALICE, f"task {i}")
    await task_service.set_status(ALICE, 7, TaskStatus.IN_PROGRESS)
    await task_service.set_status(ALICE, 3, TaskStatus.DONE)
    await task_service.set_status(ALICE, 11, TaskStatus.DONE)

    first = await task_service.list_tasks(ALICE, TaskFilter.OPEN, page=0)
    assert [t.number for t in first.items] == [7, 1, 2, 4, 5]
    assert (first.total, first.pages, first.open_count, first.done_count) == (10, 2, 10, 2)
    second = await task_service.list_tasks(ALICE, TaskFilter.OPEN, page=1)
    assert [t.number for t in second.items] == [6, 8, 9, 10, 12]

    done = await task_service.list_tasks(ALICE, TaskFilter.DONE)
    assert [t.number for t in done.items] == [11, 3]
    everything = await task_service.list_tasks(ALICE, TaskFilter.ALL, page=2)
    assert everything.total == 12
    assert [t.number for t in everything.items] == [3, 11]


async def test_list_puts_higher_priority_first_within_a_due_date(
    task_service: TaskService,
) -> None:
    # Far-off dates, so the test's real "now" never reaches them.
    titles = [
        "errand",
        "report !1 on 5 May 2099",
        "shelf !3",
        "visit on 5 May 2099",
        "call !2 on 5 May 2099",
        "plant !1",
        "tax on 4 May 2099",
    ]
    for title in titles:
        await add(task_service, ALICE, title)
    pages = [await task_service.list_tasks(ALICE, TaskFilter.OPEN, page=i) for i in (0, 1)]
    # Dated first by date (4 May before 5 May), high to none on the same day; then the
    # undated, high to none; the number breaks ties. The order holds across pages.
    assert [t.number for page in pages for t in page.items] == [7, 2, 5, 4, 6, 3, 1]


async def test_list_clamps_page_past_the_end(task_service: TaskService) -> None:
    await add(task_service, ALICE, "only")
    page = await task_service.list_tasks(ALICE, TaskFilter.OPEN, page=40)
    assert page.page == 0
    assert [t.number for t in page.items] == [1]
    empty = await task_service.list_tasks(BOB, TaskFilter.DONE, page=-3)
    assert (empty.page, empty.total, empty.pages, empty.items) == (0, 0, 1, ())


# -- ownership ------------------------------------------------------------------------------


async def test_nobody_reaches_another_persons_task(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await add(task_service, ALICE, "alice's secret")
    await add(task_service, BOB, "bob's own")
    await add(task_service, BOB, "bob's second")
    before = await snapshot(session_maker)
    mallory = Person(telegram_id=666, username="mallory")
    with pytest.raises(TaskNotFound):
        await task_service.get_task(BOB, 3)  # Bob has two tasks; Alice's #1 is not his #3
    for number in (1, 2, 3):
        for call in (
            task_service.get_task(mallory, number),
            task_service.set_status(mallory, number, TaskStatus.DONE),
            task_service.edit_task(mallory, number, "pwned"),
            task_service.delete_task(mallory, number),
        ):
            with pytest.raises(TaskNotFound):
                await call
    reports = await task_service.mark_done(mallory, [1, 2, 3])
    assert {r.outcome for r in reports} == {DoneOutcome.NOT_FOUND}
    page = await task_service.list_tasks(mallory, TaskFilter.ALL)
    assert page.items == ()
    # Only Mallory's own (empty) user row is new.
    users, tasks = await snapshot(session_maker)
    assert tasks == before[1]
    assert len(users) == len(before[0]) + 1
    assert (await task_service.get_task(ALICE, 1)).title == "alice's secret"


# -- people ---------------------------------------------------------------------------------


async def test_rename_moves_tasks_with_the_person(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await add(task_service, ALICE, "mine")
    renamed = ALICE.model_copy(update={"username": "Alice_New"})
    task = await task_service.get_task(renamed, 1)
    assert task.title == "mine"
    assert (await owners(session_maker))[ALICE.telegram_id] == "alice_new"
    assert await add(task_service, renamed, "second") == 2


async def test_username_is_case_insensitive(task_service: TaskService) -> None:
    await add(task_service, ALICE, "one")
    shouting = ALICE.model_copy(update={"username": "ALICE"})
    assert (await task_service.get_task(shouting, 1)).title == "one"


async def test_person_without_username_then_sets_one(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    anonymous = Person(telegram_id=42)
    await add(task_service, anonymous, "no name yet")
    assert (await owners(session_maker))[42] == "#42"
    named = Person(telegram_id=42, username="Finally")
    assert (await task_service.get_task(named, 1)).title == "no name yet"
    assert (await owners(session_maker))[42] == "finally"
    # ...and losing the username again moves them back to the fallback key.
    assert (await task_service.get_task(anonymous, 1)).title == "no name yet"
    assert (await owners(session_maker))[42] == "#42"


async def test_username_taken_over_from_a_stale_holder(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    old_holder = Person(telegram_id=1, username="coolname")
    await add(task_service, old_holder, "old holder's task")
    # The old holder renamed in Telegram but has not written since; a new account took the name.
    new_holder = Person(telegram_id=2, username="CoolName")
    await add(task_service, new_holder, "new holder's task")
    assert await owners(session_maker) == {1: "#1", 2: "coolname"}
    assert (await task_service.get_task(new_holder, 1)).title == "new holder's task"
    # The old holder writes again under their new name: their task is still theirs.
    came_back = Person(telegram_id=1, username="othername")
    assert (await task_service.get_task(came_back, 1)).title == "old holder's task"
    assert await owners(session_maker) == {1: "othername", 2: "coolname"}


async def test_invalid_username_falls_back_to_id_key(task_service: TaskService) -> None:
    odd = Person(telegram_id=7, username="#8")
    user = await task_service.sync_user(odd)
    assert user.username == "#7"


async def test_sync_user_records_language(task_service: TaskService) -> None:
    user = await task_service.sync_user(BOB)
    assert (user.username, user.telegram_id, user.language) == ("bob", 1002, "ru")
    user = await task_service.sync_user(BOB.model_copy(update={"language": "en"}))
    assert user.language == "en"


# -- counters, the cap, and the sync cache ---------------------------------------------------


async def counters(maker: async_sessionmaker[AsyncSession], telegram_id: int) -> tuple[int, int]:
    async with maker() as session:
        row = (
            await session.execute(
                select(User.open_count, User.done_count).where(User.telegram_id == telegram_id)
            )
        ).one()
    return row.open_count, row.done_count


async def test_counters_follow_every_change(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    for title in "abcde":
        await add(task_service, ALICE, title)
    await task_service.set_status(ALICE, 1, TaskStatus.DONE)
    await task_service.set_status(ALICE, 1, TaskStatus.DONE)  # no change, no double count
    await task_service.set_status(ALICE, 2, TaskStatus.IN_PROGRESS)
    await task_service.mark_done(ALICE, [3, 4, 1])
    await task_service.set_status(ALICE, 4, TaskStatus.PENDING)
    await task_service.delete_task(ALICE, 3)
    await task_service.delete_task(ALICE, 5)
    assert await counters(session_maker, ALICE.telegram_id) == (2, 1)
    # A rename moves the row and its counters; the cascade does not count tasks twice.
    await task_service.get_task(ALICE.model_copy(update={"username": "alice2"}), 1)
    assert await counters(session_maker, ALICE.telegram_id) == (2, 1)
    page = await task_service.list_tasks(ALICE, TaskFilter.ALL)
    assert (page.open_count, page.done_count, page.total) == (2, 1, 3)


async def test_cap_refuses_and_changes_nothing(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    service = TaskService(session_maker, max_tasks=3)
    for title in "abc":
        await add(service, ALICE, title)
    before = await snapshot(session_maker)
    with pytest.raises(TaskLimitReached) as info:
        await add(service, ALICE, "d")
    assert info.value.limit == 3
    assert await snapshot(session_maker) == before
    await service.set_status(ALICE, 1, TaskStatus.DONE)  # done tasks count too
    with pytest.raises(TaskLimitReached):
        await add(service, ALICE, "d")
    await service.delete_task(ALICE, 2)
    assert await add(service, ALICE, "d") == 4
    assert await add(service, BOB, "bob is not capped by alice") == 1


async def test_a_stale_sync_cache_never_reaches_another_persons_tasks(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    """Two replicas: one still believes Alice holds `alice` after another moved her away."""
    replica_a, replica_b = TaskService(session_maker), TaskService(session_maker)
    await add(replica_a, ALICE, "alice's task")
    newcomer = Person(telegram_id=3003, username="alice")  # took the name after Alice renamed
    await add(replica_b, newcomer, "newcomer's task")
    assert (await owners(session_maker))[ALICE.telegram_id] == "#1001"
    # A late update from Alice under her old name reaches replica A, which skips the sync.
    assert (await replica_a.get_task(ALICE, 1)).title == "alice's task"
    await replica_a.set_status(ALICE, 1, TaskStatus.DONE)
    assert (await replica_b.get_task(newcomer, 1)).status is TaskStatus.PENDING
    assert (await replica_a.add_task(ALICE, "again", chat_id=1, message_id=424242)).task.number == 2


async def test_a_person_whose_row_vanished_is_registered_again(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await add(task_service, ALICE, "first")
    async with session_maker() as session, session.begin():
        await session.execute(delete(Task))
        await session.execute(delete(User))
    page = await task_service.list_tasks(ALICE)
    assert page.total == 0
    assert await add(task_service, ALICE, "after the reset") == 1


# -- tags -----------------------------------------------------------------------------------


async def test_tags_are_linked_counted_and_follow_their_tasks(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await add(task_service, ALICE, "a #Home #work")
    batch = await task_service.add_tasks(
        ALICE, ["b #home", "c #garden", "d"], chat_id=ALICE.telegram_id, message_id=10**8
    )
    assert [task.tags for task in batch.tasks] == [("home",), ("garden",), ()]
    await add(task_service, BOB, "чужая #home")
    await task_service.set_status(ALICE, 2, TaskStatus.DONE)

    counts = {tag.name: (tag.open_count, tag.done_count) for tag in await task_service.tags(ALICE)}
    assert counts == {"garden": (1, 0), "home": (1, 1), "work": (1, 0)}

    home = await task_service.find_tag(ALICE, name="#HOME")
    everything = await task_service.list_tasks(ALICE, TaskFilter.ALL, tag=home)
    assert [t.number for t in everything.items] == [1, 2]
    assert (everything.open_count, everything.done_count, everything.total) == (1, 1, 2)

    # Retagging replaces the links; a tag no task carries any more is gone.
    task = await task_service.set_tags(ALICE, 3, "#home")
    assert task.tags == ("home",)
    await task_service.delete_task(ALICE, 1)
    assert [tag.name for tag in await task_service.tags(ALICE)] == ["home"]
    assert [tag.name for tag in await task_service.tags(BOB)] == ["home"]
    with pytest.raises(UnknownTag):
        await task_service.find_tag(ALICE, name="garden")
    with pytest.raises(InvalidTags):
        await task_service.set_tags(ALICE, 3, "#3")
    with pytest.raises(TaskNotFound):
        await task_service.set_tags(ALICE, 99, "#home")
    async with session_maker() as session:
        links = (await session.execute(select(TaskTag.task_id))).scalars().all()
    assert len(links) == 3  # Alice's #2 and #3, Bob's #1


async def test_tagged_list_pages(task_service: TaskService) -> None:
    for i in range(1, 13):
        await add(task_service, ALICE, f"task {i}" + (" #odd" if i % 2 else ""))
    odd = await task_service.find_tag(ALICE, name="odd")
    first = await task_service.list_tasks(ALICE, TaskFilter.OPEN, tag=odd)
    second = await task_service.list_tasks(ALICE, TaskFilter.OPEN, 1, tag=odd)
    assert [t.number for t in first.items + second.items] == [1, 3, 5, 7, 9, 11]
    assert (first.total, first.pages, second.page) == (6, 2, 1)
