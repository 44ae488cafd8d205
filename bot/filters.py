"""Filters for registering handlers: cheap stand-ins for aiogram's, and the one way this
project uses magic filters.

Every message or press is tried against the handlers in turn, so the filters of the busy
handlers run on nearly every update. `command(...)`, `task_actions(...)`, `NOT_A_COMMAND`
and `PRIVATE_CHAT` give aiogram's results (tests/test_filters.py holds them to it) and turn
away what cannot match with a string comparison first.

aiogram 3.31 awaits a filter that is a coroutine function (any `Filter` subclass) in the
event loop, but runs every other callable through `asyncio.to_thread`
(aiogram/dispatcher/event/handler.py, `CallableObject.call`). A bare `F` expression is such
a callable, so each check of it was a hop to a worker thread and back: about half a
millisecond per update in the benchmark, more than the update's database round trip. Wrap
magic filters in `in_loop(...)`, and states in `StateFilter(...)`, when registering them (a
`State` is a plain callable too); a test holds every handler and filter to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from magic_filter import MagicFilter

from bot.callbacks import TaskAction, TaskCallback


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


class _NotACommand(Filter):
    """Text that is not a command: what a dialogue waiting for text, or a quick add, accepts."""

    async def __call__(self, message: Message) -> bool:
        text = message.text
        if not text:
            return False
        return not text.startswith("/")


class _PrivateChat(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE


# Plain checks rather than magic filters: every command passes NOT_A_COMMAND on its way to its
# handler, and a magic filter's generic resolution costs several times the comparison.
# Register NOT_A_COMMAND before a StateFilter: commands then leave at the cheaper check.
NOT_A_COMMAND = _NotACommand()
PRIVATE_CHAT = _PrivateChat()


class _TaskActions(Filter):
    def __init__(self, actions: Iterable[TaskAction]) -> None:
        self._actions = frozenset(actions)
        self._heads = tuple(
            f"{TaskCallback.__prefix__}{TaskCallback.__separator__}{action}"
            f"{TaskCallback.__separator__}"
            for action in self._actions
        )

    async def __call__(self, query: CallbackQuery) -> Literal[False] | dict[str, Any]:
        data = query.data
        if not data or not data.startswith(self._heads):
            return False
        try:
            callback_data = TaskCallback.unpack(data)
        except (TypeError, ValueError):
            return False
        return {"callback_data": callback_data} if callback_data.action in self._actions else False

    def __str__(self) -> str:
        return f"task_actions({', '.join(sorted(self._actions))})"


def task_actions(*actions: TaskAction) -> Filter:
    """`TaskCallback.filter(F.action.in_(actions))`, with the same result, for the card's
    handlers: a press is tried against them in turn, and this one looks at the action in the
    packed data before unpacking it (aiogram's unpacks and validates it for every handler)."""
    return _TaskActions(actions)


class _Command(Command):
    def __init__(self, *names: str) -> None:
        super().__init__(*names)
        # What the text must start with, after leading whitespace, to be one of the commands.
        self._heads = tuple(f"{prefix}{name}" for prefix in self.prefix for name in names)

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        text = message.text or message.caption
        if not text or not text.lstrip().startswith(self._heads):
            return False
        return await super().__call__(message, bot)


def command(*names: str) -> Command:
    """`Command(*names)`, with the same result: a message is tried against each command
    handler in turn, and this one turns away text that cannot be its command before aiogram
    parses it."""
    return _Command(*names)
