"""Dialogue state is kept only while a dialogue is in progress."""

from __future__ import annotations

from bot.chat.storage import DialogueMemoryStorage
from bot.services import TaskService
from tests.chat.harness import TgUser
from tests.chat.people import ALICE
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
    await chat.press(ALICE, "✏️ Edit", chat.last_with_buttons(ALICE))
    assert storage.size == 1  # the state and the task number it edits
    await chat.send(ALICE, "Edited")
    assert storage.size == 0
