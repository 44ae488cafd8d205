"""Inline keyboards as pure functions of read models (no I/O, easy to test)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import (
    DonePickerCallback,
    ListCallback,
    PickAction,
    TaskAction,
    TaskCallback,
)
from bot.rendering import BUTTON_TITLE_LIMIT, STATUS_ICONS, clip, filter_label, status_label
from bot.schemas import TaskFilter, TaskPage, TaskRead, TaskStatus

_STATUS_ACTIONS = {
    TaskStatus.PENDING: TaskAction.TO_PENDING,
    TaskStatus.IN_PROGRESS: TaskAction.TO_IN_PROGRESS,
    TaskStatus.DONE: TaskAction.TO_DONE,
}
Rows = list[list[InlineKeyboardButton]]


def _button(text: str, callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=callback_data)


def _task_button(task: TaskRead, callback_data: str) -> InlineKeyboardButton:
    title = clip(task.title, BUTTON_TITLE_LIMIT)
    return _button(f"{STATUS_ICONS[task.status]} #{task.number} {title}", callback_data)


def _navigation_row(
    page: TaskPage, make: type[ListCallback] | None = None
) -> list[InlineKeyboardButton]:
    row = []
    if page.page > 0:
        row.append(_button("◀️", ListCallback(view=page.filter, page=page.page - 1).pack()))
    if page.page < page.pages - 1:
        row.append(_button("▶️", ListCallback(view=page.filter, page=page.page + 1).pack()))
    return row


def list_keyboard(page: TaskPage) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            _task_button(
                task,
                TaskCallback(
                    action=TaskAction.OPEN, number=task.number, view=page.filter, page=page.page
                ).pack(),
            )
        ]
        for task in page.items
    ]
    if navigation := _navigation_row(page):
        rows.append(navigation)
    counts = {
        TaskFilter.OPEN: page.open_count,
        TaskFilter.DONE: page.done_count,
        TaskFilter.ALL: page.open_count + page.done_count,
    }
    filters = []
    for task_filter in TaskFilter:
        label = f"{filter_label(task_filter)} ({counts[task_filter]})"
        if task_filter is page.filter:
            label = f"• {label} •"
        filters.append(_button(label, ListCallback(view=task_filter, page=0).pack()))
    rows.append(filters)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(
    task: TaskRead,
    task_filter: TaskFilter = TaskFilter.OPEN,
    page: int = 0,
    *,
    undo: bool = False,
) -> InlineKeyboardMarkup:
    def callback(action: TaskAction) -> str:
        return TaskCallback(action=action, number=task.number, view=task_filter, page=page).pack()

    statuses = []
    for status, action in _STATUS_ACTIONS.items():
        label = f"{STATUS_ICONS[status]} {status_label(status)}"
        if status is task.status:
            label = f"• {label} •"
        statuses.append(_button(label, callback(action)))
    rows: Rows = [
        statuses,
        [
            _button(_("✏️ Edit"), callback(TaskAction.EDIT)),
            _button(_("🗑 Delete"), callback(TaskAction.DELETE)),
        ],
        [_button(_("⬅️ Back to the list"), ListCallback(view=task_filter, page=page).pack())],
    ]
    if undo:
        rows.insert(0, [_button(_("↩️ Undo"), callback(TaskAction.UNDO))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def delete_confirmation_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int
) -> InlineKeyboardMarkup:
    def callback(action: TaskAction) -> str:
        return TaskCallback(action=action, number=task.number, view=task_filter, page=page).pack()

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(_("🗑 Yes, delete"), callback(TaskAction.DELETE_CONFIRMED)),
                _button(_("Keep it"), callback(TaskAction.OPEN)),
            ]
        ]
    )


def done_picker_keyboard(page: TaskPage) -> InlineKeyboardMarkup | None:
    rows: Rows = [
        [
            _task_button(
                task,
                DonePickerCallback(
                    action=PickAction.TICK, number=task.number, page=page.page
                ).pack(),
            )
        ]
        for task in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(
            _button("◀️", DonePickerCallback(action=PickAction.PAGE, page=page.page - 1).pack())
        )
    if page.page < page.pages - 1:
        navigation.append(
            _button("▶️", DonePickerCallback(action=PickAction.PAGE, page=page.page + 1).pack())
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
