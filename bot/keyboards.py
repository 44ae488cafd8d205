"""Inline keyboards as pure functions of read models (no I/O, easy to test).

Built for a few microseconds a button: callback data comes from the `packed` class methods
(`XCallback(...).pack()`'s string without a model), buttons and markups are copies of a
validated template with their fields replaced (nothing is validated per button), and the fixed
labels are looked up once per language. Validating a button costs about 5 µs, and
`model_construct` about 20 µs (it resolves each of the 14 field defaults one by one);
`replaced` (bot.models_copy) makes the object `model_copy(update=...)` makes, in half its
time (about 1 µs).
Inputs are already valid: labels are `str`, and callback data is checked against Telegram's
64 bytes when packed. `tests/test_keyboards.py` compares every keyboard with one built by
validation and `pack()`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import (
    DonePickerCallback,
    ListCallback,
    PickAction,
    TaskAction,
    TaskCallback,
)
from bot.models_copy import replaced
from bot.rendering import BUTTON_TITLE_LIMIT, STATUS_ICONS, clip, filter_label, status_label
from bot.schemas import TaskFilter, TaskPage, TaskRead, TaskStatus

_STATUS_ACTIONS = {
    TaskStatus.PENDING: TaskAction.TO_PENDING,
    TaskStatus.IN_PROGRESS: TaskAction.TO_IN_PROGRESS,
    TaskStatus.DONE: TaskAction.TO_DONE,
}
Rows = list[list[InlineKeyboardButton]]

# Validated once; every button and markup is a copy with its fields replaced.
_BUTTON = InlineKeyboardButton(text=" ", callback_data=" ")
_MARKUP = InlineKeyboardMarkup(inline_keyboard=[])


def _button(text: str, callback_data: str) -> InlineKeyboardButton:
    return replaced(_BUTTON, text=text, callback_data=callback_data)


def _markup(rows: Rows) -> InlineKeyboardMarkup:
    return replaced(_MARKUP, inline_keyboard=rows)


@dataclass(frozen=True, slots=True)
class _Labels:
    """The fixed button labels in one language: a card's would otherwise take six catalog
    lookups (about 6 µs) on every press."""

    statuses: Mapping[TaskStatus, str]
    current_statuses: Mapping[TaskStatus, str]
    filters: Mapping[TaskFilter, str]
    edit: str
    delete: str
    back: str
    undo: str


@functools.lru_cache(maxsize=16)
def _labels_in(i18n: I18n, locale: str) -> _Labels:
    # Keyed by the I18n too, so a second catalog set (tests build several) is never mixed
    # in; the catalogs are loaded once at start, so nothing goes stale.
    with i18n.context(), i18n.use_locale(locale):
        statuses = {
            status: f"{STATUS_ICONS[status]} {status_label(status)}" for status in TaskStatus
        }
        return _Labels(
            statuses=statuses,
            current_statuses={status: f"• {label} •" for status, label in statuses.items()},
            filters={task_filter: filter_label(task_filter) for task_filter in TaskFilter},
            edit=_("✏️ Edit"),
            delete=_("🗑 Delete"),
            back=_("⬅️ Back to the list"),
            undo=_("↩️ Undo"),
        )


def _labels() -> _Labels:
    """The labels in the current person's language (aiogram's i18n context, as `_()`)."""
    i18n = get_i18n()
    return _labels_in(i18n, i18n.current_locale)


def _task_button(task: TaskRead, callback_data: str) -> InlineKeyboardButton:
    title = clip(task.title, BUTTON_TITLE_LIMIT)
    return _button(f"{STATUS_ICONS[task.status]} #{task.number} {title}", callback_data)


def _navigation_row(page: TaskPage) -> list[InlineKeyboardButton]:
    row = []
    if page.page > 0:
        row.append(_button("◀️", ListCallback.packed(page.filter, page.page - 1)))
    if page.page < page.pages - 1:
        row.append(_button("▶️", ListCallback.packed(page.filter, page.page + 1)))
    return row


def list_keyboard(page: TaskPage) -> InlineKeyboardMarkup:
    view, shown = page.filter, page.page
    rows: Rows = [
        [_task_button(task, TaskCallback.packed(TaskAction.OPEN, task.number, view, shown))]
        for task in page.items
    ]
    if navigation := _navigation_row(page):
        rows.append(navigation)
    counts = {
        TaskFilter.OPEN: page.open_count,
        TaskFilter.DONE: page.done_count,
        TaskFilter.ALL: page.open_count + page.done_count,
    }
    labels = _labels().filters
    filters = []
    for task_filter in TaskFilter:
        label = f"{labels[task_filter]} ({counts[task_filter]})"
        if task_filter is view:
            label = f"• {label} •"
        filters.append(_button(label, ListCallback.packed(task_filter, 0)))
    rows.append(filters)
    return _markup(rows)


def card_keyboard(
    task: TaskRead,
    task_filter: TaskFilter = TaskFilter.OPEN,
    page: int = 0,
    *,
    undo: bool = False,
) -> InlineKeyboardMarkup:
    labels = _labels()
    number = task.number

    def callback(action: TaskAction) -> str:
        return TaskCallback.packed(action, number, task_filter, page)

    rows: Rows = [
        [
            _button(
                (labels.current_statuses if status is task.status else labels.statuses)[status],
                callback(action),
            )
            for status, action in _STATUS_ACTIONS.items()
        ],
        [
            _button(labels.edit, callback(TaskAction.EDIT)),
            _button(labels.delete, callback(TaskAction.DELETE)),
        ],
        [_button(labels.back, ListCallback.packed(task_filter, page))],
    ]
    if undo:
        rows.insert(0, [_button(labels.undo, callback(TaskAction.UNDO))])
    return _markup(rows)


def delete_confirmation_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int
) -> InlineKeyboardMarkup:
    number = task.number
    confirmed = TaskCallback.packed(TaskAction.DELETE_CONFIRMED, number, task_filter, page)
    keep = TaskCallback.packed(TaskAction.OPEN, number, task_filter, page)
    return _markup([[_button(_("🗑 Yes, delete"), confirmed), _button(_("Keep it"), keep)]])


def done_picker_keyboard(page: TaskPage) -> InlineKeyboardMarkup | None:
    rows: Rows = [
        [_task_button(task, DonePickerCallback.packed(PickAction.TICK, task.number, page.page))]
        for task in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(
            _button("◀️", DonePickerCallback.packed(PickAction.PAGE, 0, page.page - 1))
        )
    if page.page < page.pages - 1:
        navigation.append(
            _button("▶️", DonePickerCallback.packed(PickAction.PAGE, 0, page.page + 1))
        )
    if navigation:
        rows.append(navigation)
    return _markup(rows) if rows else None
