"""Magic filters checked in the event loop.

aiogram 3.31 awaits a filter that is a coroutine function (any `Filter` subclass, such as
`Command` or `CallbackData.filter()`) in the event loop, but runs every other callable
through `asyncio.to_thread` (aiogram/dispatcher/event/handler.py, `CallableObject.call`). A
bare `F` expression is such a callable, so each check of it would be a hop to a worker thread
and back on nearly every update. Wrap magic filters in `in_loop(...)`, and states in
`StateFilter(...)`, when registering them; tests/test_dispatch_in_loop.py holds every
handler and filter to it.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class _InLoop(Filter):
    def __init__(self, magic: MagicFilter) -> None:
        self._magic = magic

    async def __call__(self, event: TelegramObject) -> bool | dict[str, Any]:
        result = self._magic.resolve(event)
        return result if isinstance(result, dict) else bool(result)

    def __str__(self) -> str:
        return f"in_loop({self._magic!r})"


def in_loop(magic: MagicFilter) -> Filter:
    """`magic` checked in the event loop, with the same result aiogram would use."""
    return _InLoop(magic)


# Text that is not a command: what a dialogue waiting for text, or a quick add, accepts.
NOT_A_COMMAND = in_loop(F.text & ~F.text.startswith("/"))
PRIVATE_CHAT = in_loop(F.chat.type == ChatType.PRIVATE)
