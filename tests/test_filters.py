"""The shared filters give the results of the aiogram filters they stand in for."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot, F
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.callbacks import ListCallback, TaskAction, TaskCallback
from bot.filters import NOT_A_COMMAND, PRIVATE_CHAT, command, task_actions
from bot.schemas import TaskFilter

_USER = User(id=7, is_bot=False, first_name="Ann")

# Well-formed data for every action, and what a stale, foreign or hostile button might send.
_DATA = [
    *(TaskCallback.packed(action, 12, view, 3) for action in TaskAction for view in TaskFilter),
    TaskCallback(action=TaskAction.OPEN, number=5).pack(),
    ListCallback.packed(TaskFilter.DONE, 1),
    "t:o:notanumber:open:0",
    "t:o:5:nosuchview:0",
    "t:o:5",
    "t:o:5:open:0:extra",
    "t:z:5:open:0",
    "t:oo:5:open:0",
    "t:",
    "t",
    "x:o:5:open:0",
    "",
]
_ACTION_SETS = [
    (TaskAction.OPEN,),
    (TaskAction.TO_PENDING, TaskAction.TO_IN_PROGRESS, TaskAction.TO_DONE),
    (TaskAction.DELETE_CONFIRMED,),
    (TaskAction.UNDO,),
]


def _press(data: str | None) -> CallbackQuery:
    return CallbackQuery(id="1", from_user=_USER, chat_instance="c", data=data)


def _message(
    text: str | None, chat_type: str = ChatType.PRIVATE, caption: str | None = None
) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 11, 24, tzinfo=UTC),
        chat=Chat(id=7, type=chat_type),
        from_user=_USER,
        text=text,
        caption=caption,
    )


@pytest.mark.parametrize(("actions", "data"), list(itertools.product(_ACTION_SETS, [*_DATA, None])))
async def test_task_actions_matches_aiogram_callback_filter(
    actions: tuple[TaskAction, ...], data: str | None
) -> None:
    aiogram_filter = TaskCallback.filter(F.action.in_(actions))
    expected: Any = await aiogram_filter(_press(data))
    assert await task_actions(*actions)(_press(data)) == expected


async def test_task_actions_passes_the_unpacked_data() -> None:
    data = TaskCallback.packed(TaskAction.TO_DONE, 42, TaskFilter.ALL, 2)
    result = await task_actions(TaskAction.TO_DONE)(_press(data))
    assert result == {
        "callback_data": TaskCallback(
            action=TaskAction.TO_DONE, number=42, view=TaskFilter.ALL, page=2
        )
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("buy milk", True), ("/list", False), ("/", False), ("", False), (None, False), (" /x", True)],
)
async def test_not_a_command(text: str | None, expected: bool) -> None:
    magic = F.text & ~F.text.startswith("/")
    assert bool(magic.resolve(_message(text))) is expected
    assert await NOT_A_COMMAND(_message(text)) is expected


@pytest.mark.parametrize(
    ("chat_type", "expected"),
    [(ChatType.PRIVATE, True), (ChatType.GROUP, False), (ChatType.SUPERGROUP, False)],
)
async def test_private_chat(chat_type: str, expected: bool) -> None:
    assert await PRIVATE_CHAT(_message("hi", chat_type)) is expected


_COMMAND_TEXTS = [
    "/add",
    "/add Buy milk",
    "/add\nfirst line\nsecond",
    "  /add indented",
    "\u2003/add after an em space",
    "/add@todo_bot Buy milk",
    "/add@TODO_BOT Buy milk",
    "/add@other_bot Buy milk",
    "/addition",
    "/ADD",
    "/Add x",
    "!add",
    "add",
    "/",
    "/list",
    "/list done",
    "/done 1 2",
    "/done@todo_bot 3",
    "/doner",
    "",
    None,
]


@pytest.fixture
def bot() -> Bot:
    bot = Bot("42:TEST")
    bot._me = User(id=42, is_bot=True, first_name="Todo", username="todo_bot")  # no getMe
    return bot


@pytest.mark.parametrize("names", [("add",), ("list",), ("done",), ("help",), ("add", "done")])
@pytest.mark.parametrize("text", _COMMAND_TEXTS)
async def test_command_matches_aiogram_command(
    bot: Bot, names: tuple[str, ...], text: str | None
) -> None:
    for message in (_message(text), _message(None, caption=text)):
        expected: Any = await Command(*names)(message, bot)
        assert await command(*names)(message, bot) == expected
