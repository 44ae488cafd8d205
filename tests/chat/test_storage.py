"""Dialogue state is kept only while a dialogue is in progress."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.chat.storage import DialogueMemoryStorage
from bot.services import TaskService
from tests.chat.harness import TgUser, texts
from tests.chat.people import ALICE, person
from tests.conftest import make_chat


async def test_people_without_a_dialogue_cost_no_memory(task_service: TaskService) -> None:
    chat = make_chat(task_service)
    storage = chat.dispatcher.storage
    assert isinstance(storage, DialogueMemoryStorage)
    for user_id in range(5000, 5050):
        await chat.send(TgUser(user_id, "Someone", None, "en"), "/list")
    assert storage.size == 0
    await chat.send(ALICE, "/add")
    assert storage.size == 1
    await chat.send(ALICE, "The task")
    assert storage.size == 0
    await chat.send(ALICE, "/add")
    await chat.send(ALICE, "/cancel")
    assert storage.size == 0
    await chat.press(ALICE, "📂 Open", chat.last_with_buttons(ALICE))
    await chat.press(ALICE, "✏️ Edit", chat.last_with_buttons(ALICE))
    assert storage.size == 1  # the state and the task number it edits
    await chat.send(ALICE, "Edited")
    assert storage.size == 0


async def test_an_abandoned_dialogue_expires(task_service: TaskService) -> None:
    now = [0.0]
    chat = make_chat(task_service)
    chat.dispatcher.fsm.storage = DialogueMemoryStorage(timeout=3600, clock=lambda: now[0])
    await chat.send(ALICE, "/add Original")
    await chat.press(ALICE, "📂 Open", chat.last_with_buttons(ALICE))
    await chat.press(ALICE, "✏️ Edit", chat.last_with_buttons(ALICE))
    now[0] += 3599
    await chat.send(ALICE, "/cancel")  # still waiting: /cancel ends it
    await chat.press(ALICE, "✏️ Edit", chat.last_with_buttons(ALICE))
    now[0] += 3 * 24 * 3600  # days later
    [reply] = texts(await chat.send(ALICE, "Buy bread"))
    assert reply == "➕ <b>#2</b> Buy bread"  # a new task, not an overwrite of #1
    assert (await task_service.get_task(person(ALICE), 1)).title == "Original"
    assert (await task_service.get_task(person(ALICE), 2)).title == "Buy bread"


async def test_expired_dialogues_do_not_pile_up() -> None:
    now = [0.0]
    storage = DialogueMemoryStorage(timeout=60, clock=lambda: now[0])
    for user_id in range(100):
        key = StorageKey(bot_id=1, chat_id=user_id, user_id=user_id)
        await storage.set_state(key, "AddTask:text")
        await storage.set_data(key, {"number": 1})
    assert storage.size == 100
    now[0] += 61
    await storage.set_state(StorageKey(bot_id=1, chat_id=1, user_id=1), None)
    assert storage.size == 0
