"""Failures: an unreachable database gets the outage notice; anything unexpected is logged
with the update id and gets a short apology, in the person's language."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DatabaseSettings
from bot.db import create_engine, create_session_maker
from bot.services import TaskService
from tests.chat.harness import texts
from tests.chat.people import ALICE, BOB, person
from tests.chat.recording import SentMessage
from tests.conftest import TEST_TOKEN, make_chat

# Nothing listens on port 1: every database call fails the way an outage does.
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/todo"
OUTAGE_EN = (
    "⚠️ I can't reach my database right now, so nothing was saved. Please try again in a minute."
)


async def test_unreachable_database_gets_the_outage_notice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine(DatabaseSettings(database_url=UNREACHABLE, db_pool_timeout=1))
    chat = make_chat(TaskService(create_session_maker(engine), retry_delay=0.01))
    try:
        [reply] = texts(await chat.send(ALICE, "/add Milk"))
        [russian] = texts(await chat.send(BOB, "Молоко"))
        card = SentMessage(ALICE.id, 1, "old card", None)
        requests = await chat.press_data(ALICE, "t:d:1:open:0:1001:0", card)
    finally:
        await engine.dispose()
    assert reply == OUTAGE_EN
    assert russian.startswith("⚠️ Я сейчас не могу достучаться до базы данных")
    assert chat.callback_answer(requests)["text"] == OUTAGE_EN
    assert "retrying once" in caplog.text


async def test_unexpected_failure_is_apologised_for_and_logged(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    # A database nobody migrated: every query fails, and not for a reason we expect.
    engine = create_engine(DatabaseSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    chat = make_chat(TaskService(create_session_maker(engine)))
    try:
        with caplog.at_level(logging.ERROR):
            [reply] = texts(await chat.send(ALICE, "/add Milk", update_id=31337))
            [russian] = texts(await chat.send(BOB, "Молоко"))
            card = SentMessage(ALICE.id, 1, "old card", None)
            requests = await chat.press_data(ALICE, "t:d:1:open:0:1001:0", card)
    finally:
        await engine.dispose()
    assert reply == (
        "Sorry, something went wrong on my side. Nothing was changed; please try again."
    )
    assert russian.startswith("Извините, у меня что-то сломалось.")
    answer = chat.callback_answer(requests)
    assert answer["show_alert"] == "true"  # as serialised for Telegram
    assert answer["text"].startswith("Sorry, something went wrong")
    assert "update 31337 failed: OperationalError" in caplog.text
    assert TEST_TOKEN not in caplog.text


async def test_a_reply_that_fails_after_the_save_says_it_was_saved(
    task_service: TaskService, caplog: pytest.LogCaptureFixture
) -> None:
    chat = make_chat(task_service)
    for _attempt in range(4):  # the reply and its three retries
        chat.session.fail_next("sendMessage", 500, "Internal Server Error")
    with caplog.at_level(logging.ERROR):
        requests = await chat.send(BOB, "/add Молоко")
    [notice] = texts(requests)[-1:]
    assert notice.startswith("✅ Сохранено")
    assert "after its change was saved" in caplog.text
    assert [task.title for task in (await task_service.list_tasks(person(BOB))).items] == ["Молоко"]

    # Nothing saved (an unknown task): the apology says so.
    for _attempt in range(4):
        chat.session.fail_next("sendMessage", 500, "Internal Server Error")
    [apology] = texts(await chat.send(ALICE, "/done 5"))[-1:]
    assert apology == (
        "Sorry, something went wrong on my side. Nothing was changed; please try again."
    )
