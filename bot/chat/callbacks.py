"""Typed callback data. Buttons carry a task *number*, never anything that grants access:
every handler looks the number up among the presser's own tasks. Each button also carries
the Telegram id of the person it was made for (`owner`): Telegram only sends back callback
data the bot put on the message, so a press by anyone else, on a copy or in a group, is
refused before any handler runs (bot.chat.middlewares.guard).

Values are short because Telegram allows 64 bytes of callback data; the longest possible
payload (a 19-digit number, the longest view and a large page) is checked in the tests.
"""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData

from bot.schemas import TaskFilter


class TaskAction(enum.StrEnum):
    OPEN = "o"
    TO_PENDING = "p"
    TO_IN_PROGRESS = "i"
    TO_DONE = "d"
    EDIT = "e"
    DELETE = "x"
    DELETE_CONFIRMED = "y"
    UNDO = "u"
    CLEAR_DESCRIPTION = "c"
    DUE = "w"  # when: the due date picker
    REMIND = "r"  # the reminder picker
    PRIORITY = "!"  # the priority picker
    TAGS = "g"  # the tags dialogue


class ListCallback(CallbackData, prefix="l"):
    """Show a page of the list, edited in place. (`view`, since `filter` is CallbackData's.)
    `tag`: only tasks with the presser's tag of this id (0: all); a name would not fit."""

    view: TaskFilter
    page: int
    owner: int
    tag: int = 0


class TagsCallback(CallbackData, prefix="g"):
    """Show the presser's tags, each a button to the list of its tasks."""

    owner: int


class TaskCallback(CallbackData, prefix="t"):
    """Something done to one task; `view`, `page` and `tag` remember which list page to go
    back to."""

    action: TaskAction
    number: int
    view: TaskFilter
    page: int
    owner: int
    tag: int = 0


class PickAction(enum.StrEnum):
    TICK = "t"
    PAGE = "p"


class DonePickerCallback(CallbackData, prefix="d"):
    """The `/done` picker: tick a task done, or turn the picker's page."""

    action: PickAction
    number: int
    page: int
    owner: int


class DuePreset(enum.StrEnum):
    TODAY = "t"
    TOMORROW = "m"
    NEXT_WEEK = "w"
    NONE = "n"


class RepeatPreset(enum.StrEnum):
    DAILY = "d"
    WEEKDAYS = "5"
    WEEKLY = "w"
    MONTHLY = "m"
    NONE = "n"


class RepeatCallback(CallbackData, prefix="e"):
    """A recurrence preset from the due date picker."""

    preset: RepeatPreset
    number: int
    view: TaskFilter
    page: int
    owner: int


class DueCallback(CallbackData, prefix="w"):
    """A preset from the due date picker."""

    preset: DuePreset
    number: int
    view: TaskFilter
    page: int
    owner: int


class ReminderAction(enum.StrEnum):
    DONE = "d"
    SNOOZE_15 = "q"
    SNOOZE_60 = "h"
    TOMORROW_MORNING = "m"


class ReminderCallback(CallbackData, prefix="r"):
    """A button under a delivered reminder."""

    action: ReminderAction
    number: int
    owner: int


class RemindPreset(enum.StrEnum):
    AT_DUE = "0"
    TEN_MINUTES = "10"
    HOUR = "60"
    DAY = "1440"
    OFF = "off"
    NAG_15 = "n15"
    NAG_60 = "n60"
    NAG_OFF = "n0"


class RemindCallback(CallbackData, prefix="m"):
    """A preset from the card's reminder picker (minutes before the due time, or off)."""

    preset: RemindPreset
    number: int
    view: TaskFilter
    page: int
    owner: int


class PriorityCallback(CallbackData, prefix="z"):
    """A priority from the card's picker: 1 (high) to 3 (low), 0 for none."""

    level: int
    number: int
    view: TaskFilter
    page: int
    owner: int


class SearchCallback(CallbackData, prefix="f"):
    """A page of /find's results. It carries the words searched for (at most
    bot.services.search.QUERY_MAX_BYTES), so it needs no state and outlives a restart."""

    page: int
    owner: int
    query: str


class SettingsChoice(enum.StrEnum):
    DIGEST_8 = "d8"
    DIGEST_9 = "d9"
    DIGEST_OFF = "d0"
    QUIET_22_7 = "q22"
    QUIET_23_8 = "q23"
    QUIET_OFF = "q0"


class SettingsCallback(CallbackData, prefix="s"):
    """A preset under /settings."""

    choice: SettingsChoice
    owner: int


class PasteChoice(enum.StrEnum):
    ONE_TASK = "1"
    TASK_PER_LINE = "n"


class PasteCallback(CallbackData, prefix="p"):
    """The answer to "one task, or one per line?" for a pasted multi-line message."""

    choice: PasteChoice
    message: int  # the pasted message's id
    owner: int


class ImportAction(enum.StrEnum):
    CONFIRM = "y"
    CANCEL = "n"


class ImportCallback(CallbackData, prefix="i"):
    """Import (or not) the file sent in `message`: what waits is the person's, in the
    dialogue storage; the message id tells a stale preview from the current one."""

    action: ImportAction
    message: int
    owner: int


OWNED_BUTTONS: tuple[
    type[
        ListCallback
        | TaskCallback
        | DonePickerCallback
        | PasteCallback
        | DueCallback
        | ReminderCallback
        | RemindCallback
        | RepeatCallback
        | SettingsCallback
        | PriorityCallback
        | ImportCallback
        | TagsCallback
        | SearchCallback
    ],
    ...,
] = (
    ListCallback,
    TaskCallback,
    DonePickerCallback,
    PasteCallback,
    DueCallback,
    ReminderCallback,
    RemindCallback,
    RepeatCallback,
    SettingsCallback,
    PriorityCallback,
    ImportCallback,
    TagsCallback,
    SearchCallback,
)
