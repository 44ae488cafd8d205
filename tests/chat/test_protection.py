"""Flood control, ALLOWED_USERS, the per-person cap, and retries of Bot API calls."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import TaskService
from tests.chat.harness import texts
from tests.chat.people import ALICE, BOB, NONAME, person
from tests.conftest import make_chat
from tests.service.test_task_service import snapshot

TOO_FAST = "🐢 That is too fast for me. I'll ignore your messages for a few seconds."


async def test_flood_is_answered_once_then_ignored(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    chat = make_chat(task_service, rate_limit_updates=5, rate_limit_seconds=60)
    replies = []
    for number in range(1, 21):  # commands: the flood limit applies to them as it is
        replies += texts(await chat.send(ALICE, f"/add flood {number}"))
    assert replies.count(TOO_FAST) == 1
    assert sum(reply.startswith("➕ <b>#") for reply in replies) == 5
    _, tasks = await snapshot(session_maker)
    assert len(tasks) == 5
    # A button press in the flood is still answered (no spinner), silently.
    card = chat.last_with_buttons(ALICE)
    requests = await chat.press(ALICE, "📂 Open", card)
    assert [r.method for r in requests] == ["answerCallbackQuery"]
    # Others are not affected.
    [reply] = texts(await chat.send(BOB, "/add не флуд"))
    assert reply == "➕ <b>#1</b> не флуд"


async def test_rate_limit_window_slides(task_service: TaskService) -> None:
    chat = make_chat(task_service, rate_limit_updates=2, rate_limit_seconds=0.2)
    for text in ("/add a", "/add b"):
        await chat.send(ALICE, text)
    assert texts(await chat.send(ALICE, "/add c")) == [TOO_FAST]
    assert texts(await chat.send(ALICE, "/add d")) == []
    await asyncio.sleep(0.25)
    [reply] = texts(await chat.send(ALICE, "/add e"))
    assert reply == "➕ <b>#3</b> e"


async def test_only_allowed_users_get_in(
    task_service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    chat = make_chat(task_service, allowed_users=f"{ALICE.id}, @BOB")
    stranger_replies = texts(await chat.send(NONAME, "/start"))
    stranger_replies += texts(await chat.send(NONAME, "/add secret plans"))
    refusal = (
        "Sorry, this is a private bot. If its owner should let you in, send them "
        "your Telegram id: <code>1003</code>"
    )
    assert stranger_replies == [refusal] * 2
    requests = await chat.press_data(NONAME, "t:d:1:open:0:1003", chat.last(NONAME))
    assert chat.callback_answer(requests)["text"] == "Sorry, this is a private bot."
    assert await snapshot(session_maker) == ((), ())  # nothing about them is stored

    await chat.send(ALICE, "/add mine")  # allowed by id
    await chat.send(BOB, "/add моё")  # allowed by @username, case-insensitively
    assert (await task_service.get_task(person(ALICE), 1)).title == "mine"
    assert (await task_service.get_task(person(BOB), 1)).title == "моё"


async def test_cap_is_explained(session_maker: async_sessionmaker[AsyncSession]) -> None:
    chat = make_chat(TaskService(session_maker, max_tasks=2))
    await chat.send(ALICE, "one")
    await chat.send(ALICE, "two")
    [reply] = texts(await chat.send(ALICE, "three"))
    assert reply == (
        "You already have 2 tasks, the most I can keep for one person. "
        "Delete some to add new ones. Nothing was saved."
    )
    [reply] = texts(await chat.send(BOB, "/add раз"))
    assert reply.startswith("➕")


@pytest.mark.parametrize(
    ("status", "description", "retry_after"),
    [(429, "Too Many Requests: retry after 1", 1), (502, "", None), (500, "Internal", None)],
)
async def test_replies_are_retried_after_telegram_faults(
    task_service: TaskService, status: int, description: str, retry_after: int | None
) -> None:
    chat = make_chat(task_service)
    chat.session.fail_next("sendMessage", status, description, retry_after=retry_after)
    requests = await chat.send(ALICE, "/add Survives")
    assert [r.method for r in requests] == ["sendMessage", "sendMessage"]
    assert chat.last(ALICE).text == "➕ <b>#1</b> Survives"
    page = await task_service.list_tasks(person(ALICE))
    assert [task.title for task in page.items] == ["Survives"]


async def test_blocked_person_is_logged_and_the_task_kept(
    task_service: TaskService, caplog: pytest.LogCaptureFixture
) -> None:
    chat = make_chat(task_service)
    chat.session.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO):
        requests = await chat.send(ALICE, "/add Blocked")
    assert [r.method for r in requests] == ["sendMessage"]  # not retried, no apology
    assert "bot was blocked by the user" in caplog.text
    assert "Traceback" not in caplog.text
    assert (await task_service.get_task(person(ALICE), 1)).title == "Blocked"
