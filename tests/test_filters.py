"""The shared filters: magic filters checked in the event loop, with aiogram's results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram import F
from aiogram.enums import ChatType
from aiogram.types import Chat, Message, User

from bot.chat.filters import NOT_A_COMMAND, PRIVATE_CHAT

_USER = User(id=7, is_bot=False, first_name="Ann")


def _message(text: str | None, chat_type: str = ChatType.PRIVATE) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 11, 24, tzinfo=UTC),
        chat=Chat(id=7, type=chat_type),
        from_user=_USER,
        text=text,
    )


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
