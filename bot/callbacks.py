"""Typed callback data. Buttons carry a task *number*, never anything that grants access:
every handler looks the number up among the presser's own tasks.

Values are short because Telegram allows 64 bytes of callback data; the longest possible
payload (a 19-digit number, the longest view and a large page) is checked in the tests.

The classes are the schema (filters and `unpack` use them). Keyboards pack with their `packed`
class methods instead: the same string as `XCallback(...).pack()`, without validating and
dumping a model per button (a few hundred nanoseconds instead of several microseconds). The
tests hold the two equal for every action and view. The enums are `StrEnum`s, so they format
as their values, which is what `pack()` writes.
"""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH, CallbackData

from bot.schemas import TaskFilter


def _checked(data: str) -> str:
    """`data`, or the error `CallbackData.pack()` raises when Telegram would refuse it."""
    if len(data.encode()) > MAX_CALLBACK_LENGTH:
        msg = f"Resulted callback data is too long! len({data!r}.encode()) > {MAX_CALLBACK_LENGTH}"
        raise ValueError(msg)
    return data


class TaskAction(enum.StrEnum):
    OPEN = "o"
    TO_PENDING = "p"
    TO_IN_PROGRESS = "i"
    TO_DONE = "d"
    EDIT = "e"
    DELETE = "x"
    DELETE_CONFIRMED = "y"
    UNDO = "u"


class ListCallback(CallbackData, prefix="l"):
    """Show a page of the list, edited in place. (`view`, since `filter` is CallbackData's.)"""

    view: TaskFilter
    page: int

    @classmethod
    def packed(cls, view: TaskFilter, page: int) -> str:
        """`ListCallback(view=view, page=page).pack()`, without building the model."""
        return _checked(f"{cls.__prefix__}:{view}:{page:d}")


class TaskCallback(CallbackData, prefix="t"):
    """Something done to one task; `view` and `page` remember which list page to go back to."""

    action: TaskAction
    number: int
    view: TaskFilter = TaskFilter.OPEN
    page: int = 0

    @classmethod
    def packed(
        cls, action: TaskAction, number: int, view: TaskFilter = TaskFilter.OPEN, page: int = 0
    ) -> str:
        """`TaskCallback(action=..., number=..., view=..., page=...).pack()`, without the model."""
        return _checked(f"{cls.__prefix__}:{action}:{number:d}:{view}:{page:d}")


class PickAction(enum.StrEnum):
    TICK = "t"
    PAGE = "p"


class DonePickerCallback(CallbackData, prefix="d"):
    """The `/done` picker: tick a task done, or turn the picker's page."""

    action: PickAction
    number: int = 0
    page: int = 0

    @classmethod
    def packed(cls, action: PickAction, number: int = 0, page: int = 0) -> str:
        """`DonePickerCallback(action=..., number=..., page=...).pack()`, without the model."""
        return _checked(f"{cls.__prefix__}:{action}:{number:d}:{page:d}")
