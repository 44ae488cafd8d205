"""Random text, commands with random arguments and random callback data, through the real
dispatcher: nothing goes unhandled, everything is answered, and the database only ever
holds what a valid command asked for."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat.callbacks import (
    DonePickerCallback,
    ListCallback,
    PickAction,
    SearchCallback,
    TaskAction,
    TaskCallback,
)
from bot.db import Task, User
from bot.schemas import TaskFilter
from bot.services import TaskError, TaskService
from bot.services.text import parse_task_text
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE
from tests.conftest import make_chat
from tests.service.test_task_service import snapshot

COMMANDS = [
    "/add",
    "/list",
    "/done",
    "/find",
    "/cancel",
    "/start",
    "/help",
    "/frob",
    "/add@todo_test_bot",
]
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=400)
numbers = st.one_of(
    st.integers(-5, 40), st.integers(2**62, 2**64), st.just(0), st.integers(10**20, 10**25)
)
command_messages = st.builds(
    lambda command, args: f"{command} {args}".strip(), st.sampled_from(COMMANDS), any_text
)
callback_data = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda action, number, view, page: TaskCallback(
            action=action, number=number, view=view, page=page, owner=ALICE.id
        ).pack(),
        st.sampled_from(TaskAction),
        st.integers(1, 40),
        st.sampled_from(TaskFilter),
        st.integers(0, 5),
    ),
    st.builds(
        lambda view, page: ListCallback(view=view, page=page, owner=ALICE.id).pack(),
        st.sampled_from(TaskFilter),
        st.integers(-3, 50),
    ),
    st.builds(
        lambda n, page: DonePickerCallback(
            action=PickAction.TICK, number=n, page=page, owner=ALICE.id
        ).pack(),
        st.integers(0, 40),
        st.integers(0, 5),
    ),
    st.builds(
        lambda page, query: SearchCallback(page=page, owner=ALICE.id, query=query).pack(),
        st.integers(-3, 50),
        st.text(max_size=12).filter(lambda query: ":" not in query),
    ),
    st.builds(
        lambda prefix, rest: f"{prefix}:{rest}", st.sampled_from("tldf"), st.text(max_size=60)
    ),
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("text"), any_text),
        st.tuples(st.just("text"), command_messages),
        st.tuples(st.just("text"), st.builds(lambda n: f"/done {n} #{n}", numbers)),
        st.tuples(st.just("press"), callback_data),
    ),
    min_size=1,
    max_size=8,
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def valid_task_text(text: str) -> tuple[str, str | None] | None:
    try:
        return tuple(parse_task_text(text))  # type: ignore[return-value]
    except TaskError:
        return None


async def empty_database(session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session, session.begin():
        await session.execute(delete(Task))
        await session.execute(delete(User))


@given(actions=actions)
@HYPOTHESIS
async def test_hostile_updates(
    session_maker: async_sessionmaker[AsyncSession], actions: list[tuple[str, str]]
) -> None:
    # Each example starts afresh: an empty database, a new bot (no dialogue, no rate limit).
    await empty_database(session_maker)
    chat = make_chat(TaskService(session_maker))
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    # Everything any message could legitimately have asked to store.
    asked: set[tuple[str, str | None]] = set()
    try:
        await chat.send(ALICE, "/add A task to press buttons on")
        for kind, value in actions:
            if kind == "press":
                await chat.press_data(ALICE, value, chat.last(ALICE))  # asserts it was answered
                continue
            requests = await chat.send(ALICE, value)
            assert texts(requests), f"no answer to {value!r}"
            for candidate in (value, value.partition(" ")[2]):
                parsed = valid_task_text(candidate)
                if parsed:
                    asked.add(parsed)
            await chat.send(ALICE, "/cancel")  # leave any dialogue a random /add opened
    finally:
        logging.getLogger().removeHandler(errors)
    assert not errors.records, [record.getMessage() for record in errors.records]
    _, tasks = await snapshot(session_maker)
    for task in tasks:
        stored = (task.title, task.description)
        assert stored == ("A task to press buttons on", None) or stored in asked, stored
        assert task.title.strip() == task.title
        assert 0 < len(task.title) <= 256
        assert task.description is None or len(task.description) <= 3000


@pytest.mark.parametrize("data", ["t:o:1:open:0:1001", "l:open:0:1001"])
async def test_every_press_is_answered_even_with_no_tasks(chat: ChatHarness, data: str) -> None:
    await chat.send(ALICE, "/start")
    await chat.press_data(ALICE, data, chat.last(ALICE))
