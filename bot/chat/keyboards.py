"""Inline keyboards as pure functions of read models (no I/O, easy to test)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.chat.callbacks import (
    DonePickerCallback,
    DueCallback,
    DuePreset,
    ImportAction,
    ImportCallback,
    ListCallback,
    PasteCallback,
    PasteChoice,
    PickAction,
    PriorityCallback,
    RemindCallback,
    ReminderAction,
    ReminderCallback,
    RemindPreset,
    RepeatCallback,
    RepeatPreset,
    SearchCallback,
    TagsCallback,
    TaskAction,
    TaskCallback,
)
from bot.chat.i18n import _n
from bot.chat.rendering import (
    BUTTON_TITLE_LIMIT,
    STATUS_ICONS,
    TAGS_SHOWN,
    clip,
    filter_label,
    priority_label,
    status_label,
)
from bot.schemas import SearchPage, TagRead, TaskFilter, TaskPage, TaskRead, TaskStatus

_STATUS_ACTIONS = {
    TaskStatus.PENDING: TaskAction.TO_PENDING,
    TaskStatus.IN_PROGRESS: TaskAction.TO_IN_PROGRESS,
    TaskStatus.DONE: TaskAction.TO_DONE,
}


def _task_button(task: TaskRead, callback_data: CallbackData) -> InlineKeyboardButton:
    title = clip(task.title, BUTTON_TITLE_LIMIT)
    return InlineKeyboardButton(
        text=f"{STATUS_ICONS[task.status]} #{task.number} {title}",
        callback_data=callback_data.pack(),
    )


def _marked(label: str, current: bool) -> str:
    return f"• {label} •" if current else label


class _Paged(Protocol):
    @property
    def page(self) -> int: ...

    @property
    def pages(self) -> int: ...


def _page_buttons(
    page: _Paged, to_page: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    row = []
    if page.page > 0:
        row.append(InlineKeyboardButton(text="◀️", callback_data=to_page(page.page - 1).pack()))
    if page.page < page.pages - 1:
        row.append(InlineKeyboardButton(text="▶️", callback_data=to_page(page.page + 1).pack()))
    return row


NUMBERS_PER_ROW = 5


def list_keyboard(page: TaskPage, *, owner: int) -> InlineKeyboardMarkup:
    """The list's text names each task; its buttons are the numbers, to open a card."""
    tag = page.tag.id if page.tag is not None else 0
    builder = InlineKeyboardBuilder()
    for task in page.items:
        open_card = TaskCallback(
            action=TaskAction.OPEN,
            number=task.number,
            view=page.filter,
            page=page.page,
            owner=owner,
            tag=tag,
        )
        builder.button(text=f"#{task.number}", callback_data=open_card)
    builder.adjust(NUMBERS_PER_ROW)

    def to_page(to: int) -> ListCallback:
        return ListCallback(view=page.filter, page=to, owner=owner, tag=tag)

    if navigation := _page_buttons(page, to_page):
        builder.row(*navigation)
    counts = {
        TaskFilter.OPEN: page.open_count,
        TaskFilter.DONE: page.done_count,
        TaskFilter.ALL: page.open_count + page.done_count,
    }
    builder.row(
        *(
            InlineKeyboardButton(
                text=_marked(f"{filter_label(view)} ({counts[view]})", view is page.filter),
                callback_data=ListCallback(view=view, page=0, owner=owner, tag=tag).pack(),
            )
            for view in TaskFilter
        )
    )
    tags = InlineKeyboardButton(text=_("🏷 Tags"), callback_data=TagsCallback(owner=owner).pack())
    if page.tag is None:
        builder.row(tags)
    else:
        every = ListCallback(view=page.filter, page=0, owner=owner)
        builder.row(
            tags,
            InlineKeyboardButton(text=_("✖️ Every tag"), callback_data=every.pack()),
        )
    return builder.as_markup()


def tags_keyboard(tags: Sequence[TagRead], *, owner: int) -> InlineKeyboardMarkup:
    """A button per tag (its open count), to the list of its open tasks; then the list."""
    builder = InlineKeyboardBuilder()
    for tag in tags[:TAGS_SHOWN]:
        builder.button(
            text=f"#{clip(tag.name, BUTTON_TITLE_LIMIT)} ({tag.open_count})",
            callback_data=ListCallback(view=TaskFilter.OPEN, page=0, owner=owner, tag=tag.id),
        )
    builder.adjust(3)
    builder.row(
        InlineKeyboardButton(
            text=_("📋 My tasks"),
            callback_data=ListCallback(view=TaskFilter.OPEN, page=0, owner=owner).pack(),
        )
    )
    return builder.as_markup()


def card_keyboard(
    task: TaskRead,
    task_filter: TaskFilter = TaskFilter.OPEN,
    page: int = 0,
    *,
    owner: int,
    undo: bool = False,
    tag: int = 0,
) -> InlineKeyboardMarkup:
    """`tag`: the card was opened from the list of a tag's tasks (its id), to go back to."""

    def button(text: str, action: TaskAction) -> InlineKeyboardButton:
        data = TaskCallback(
            action=action, number=task.number, view=task_filter, page=page, owner=owner, tag=tag
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder = InlineKeyboardBuilder()
    if undo:
        builder.row(button(_("↩️ Undo"), TaskAction.UNDO))
    builder.row(
        *(
            button(
                _marked(f"{STATUS_ICONS[status]} {status_label(status)}", status is task.status),
                action,
            )
            for status, action in _STATUS_ACTIONS.items()
        )
    )
    builder.row(
        button(_("📅 Due"), TaskAction.DUE),
        button(_("⏰ Remind"), TaskAction.REMIND),
        button(_("❗ Priority"), TaskAction.PRIORITY),
    )
    builder.row(
        button(_("✏️ Edit"), TaskAction.EDIT),
        button(_("🏷 Tags"), TaskAction.TAGS),
        button(_("🗑 Delete"), TaskAction.DELETE),
    )
    builder.row(
        InlineKeyboardButton(
            text=_("⬅️ Back to the list"),
            callback_data=ListCallback(view=task_filter, page=page, owner=owner, tag=tag).pack(),
        )
    )
    return builder.as_markup()


def numbers_keyboard(tasks: Sequence[TaskRead], *, owner: int) -> InlineKeyboardMarkup | None:
    """A button per task, its number, to open its card (under /today and /upcoming)."""
    if not tasks:
        return None
    builder = InlineKeyboardBuilder()
    for task in tasks:
        builder.button(
            text=f"#{task.number}",
            callback_data=TaskCallback(
                action=TaskAction.OPEN,
                number=task.number,
                view=TaskFilter.OPEN,
                page=0,
                owner=owner,
            ),
        )
    builder.adjust(NUMBERS_PER_ROW)
    return builder.as_markup()


def reminder_keyboard(task: TaskRead, *, owner: int) -> InlineKeyboardMarkup:
    """Under a delivered reminder: done, snooze (15 min, 1 h, tomorrow morning), open."""

    def data(action: ReminderAction) -> ReminderCallback:
        return ReminderCallback(action=action, number=task.number, owner=owner)

    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Done"), callback_data=data(ReminderAction.DONE))
    builder.button(text=_("⏰ 15 min"), callback_data=data(ReminderAction.SNOOZE_15))
    builder.button(text=_("⏰ 1 hour"), callback_data=data(ReminderAction.SNOOZE_60))
    builder.button(
        text=_("🌅 Tomorrow morning"), callback_data=data(ReminderAction.TOMORROW_MORNING)
    )
    builder.button(
        text=_("📂 Open"),
        callback_data=TaskCallback(
            action=TaskAction.OPEN, number=task.number, view=TaskFilter.OPEN, page=0, owner=owner
        ),
    )
    builder.adjust(1, 3, 1)
    return builder.as_markup()


def added_keyboard(task: TaskRead, *, owner: int) -> InlineKeyboardMarkup:
    """Under "➕ #3 Buy milk": undo it, or open its card."""

    def data(action: TaskAction) -> str:
        return TaskCallback(
            action=action, number=task.number, view=TaskFilter.OPEN, page=0, owner=owner
        ).pack()

    builder = InlineKeyboardBuilder()
    builder.button(text=_("↩️ Undo"), callback_data=data(TaskAction.UNDO))
    builder.button(text=_("📂 Open"), callback_data=data(TaskAction.OPEN))
    return builder.as_markup()


def open_list_keyboard(*, owner: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📋 My tasks"), callback_data=ListCallback(view=TaskFilter.OPEN, page=0, owner=owner)
    )
    return builder.as_markup()


def paste_keyboard(lines: int, message_id: int, *, owner: int) -> InlineKeyboardMarkup:
    def data(choice: PasteChoice) -> PasteCallback:
        return PasteCallback(choice=choice, message=message_id, owner=owner)

    builder = InlineKeyboardBuilder()
    builder.button(text=_("📝 One task"), callback_data=data(PasteChoice.ONE_TASK))
    builder.button(
        text=_n("📋 {count} task", "📋 {count} tasks", lines).format(count=lines),
        callback_data=data(PasteChoice.TASK_PER_LINE),
    )
    return builder.as_markup()


def edit_prompt_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int, *, owner: int
) -> InlineKeyboardMarkup | None:
    """Under the edit prompt: a way to remove the description, when there is one."""
    if not task.description:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🧹 Remove the description"),
        callback_data=TaskCallback(
            action=TaskAction.CLEAR_DESCRIPTION,
            number=task.number,
            view=task_filter,
            page=page,
            owner=owner,
        ),
    )
    return builder.as_markup()


def _back_to_card(
    task: TaskRead, task_filter: TaskFilter, page: int, owner: int
) -> InlineKeyboardButton:
    """From a picker back to the task's card, which goes back to the same list page."""
    back = TaskCallback(
        action=TaskAction.OPEN, number=task.number, view=task_filter, page=page, owner=owner
    )
    return InlineKeyboardButton(text=_("⬅️ Back"), callback_data=back.pack())


def due_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int, *, owner: int
) -> InlineKeyboardMarkup:
    """Presets under "When is #3 due?"; a typed date works too."""

    def preset(text: str, choice: DuePreset) -> InlineKeyboardButton:
        data = DueCallback(
            preset=choice, number=task.number, view=task_filter, page=page, owner=owner
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder = InlineKeyboardBuilder()
    builder.row(
        preset(_("Today"), DuePreset.TODAY),
        preset(_("Tomorrow"), DuePreset.TOMORROW),
        preset(_("Next week"), DuePreset.NEXT_WEEK),
    )
    if task.due_at is not None:
        builder.row(preset(_("🚫 No date"), DuePreset.NONE))

    def repeat(text: str, choice: RepeatPreset) -> InlineKeyboardButton:
        data = RepeatCallback(
            preset=choice, number=task.number, view=task_filter, page=page, owner=owner
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder.row(
        repeat(_("🔁 Daily"), RepeatPreset.DAILY),
        repeat(_("🔁 Weekdays"), RepeatPreset.WEEKDAYS),
    )
    builder.row(
        repeat(_("🔁 Weekly"), RepeatPreset.WEEKLY),
        repeat(_("🔁 Monthly"), RepeatPreset.MONTHLY),
    )
    if task.recurrence:
        builder.row(repeat(_("🚫 No repeat"), RepeatPreset.NONE))
    builder.row(_back_to_card(task, task_filter, page, owner))
    return builder.as_markup()


def remind_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int, *, owner: int
) -> InlineKeyboardMarkup:
    """Presets under "When should I remind you?": before a due time, or off; a typed moment
    works too."""

    def preset(text: str, choice: RemindPreset) -> InlineKeyboardButton:
        data = RemindCallback(
            preset=choice, number=task.number, view=task_filter, page=page, owner=owner
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder = InlineKeyboardBuilder()
    if task.due_at is not None and task.due_has_time:
        builder.row(
            preset(_("At the due time"), RemindPreset.AT_DUE),
            preset(_("10 min before"), RemindPreset.TEN_MINUTES),
        )
        builder.row(
            preset(_("1 hour before"), RemindPreset.HOUR),
            preset(_("1 day before"), RemindPreset.DAY),
        )
    if task.remind_at is not None:
        builder.row(preset(_("🔕 No reminder"), RemindPreset.OFF))
    # Nagging: once reminded, again every so often until done or snoozed.
    if task.nag_minutes:
        builder.row(preset(_("🔁 Stop nagging"), RemindPreset.NAG_OFF))
    else:
        builder.row(
            preset(_("🔁 Nag every 15 min"), RemindPreset.NAG_15),
            preset(_("🔁 Nag every hour"), RemindPreset.NAG_60),
        )
    builder.row(_back_to_card(task, task_filter, page, owner))
    return builder.as_markup()


def priority_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int, *, owner: int
) -> InlineKeyboardMarkup:
    def level(text: str, value: int) -> InlineKeyboardButton:
        data = PriorityCallback(
            level=value, number=task.number, view=task_filter, page=page, owner=owner
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder = InlineKeyboardBuilder()
    builder.row(*(level(priority_label(value), value) for value in (1, 2, 3)))
    if task.priority is not None:
        builder.row(level(_("No priority"), 0))
    return builder.as_markup()


def delete_confirmation_keyboard(
    task: TaskRead, task_filter: TaskFilter, page: int, *, owner: int, tag: int = 0
) -> InlineKeyboardMarkup:
    def data(action: TaskAction) -> str:
        return TaskCallback(
            action=action, number=task.number, view=task_filter, page=page, owner=owner, tag=tag
        ).pack()

    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, delete"), callback_data=data(TaskAction.DELETE_CONFIRMED))
    builder.button(text=_("Keep it"), callback_data=data(TaskAction.OPEN))
    return builder.as_markup()


def done_picker_keyboard(page: TaskPage, *, owner: int) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    for task in page.items:
        tick = DonePickerCallback(
            action=PickAction.TICK, number=task.number, page=page.page, owner=owner
        )
        builder.row(_task_button(task, tick))

    def to_page(to: int) -> DonePickerCallback:
        return DonePickerCallback(action=PickAction.PAGE, number=0, page=to, owner=owner)

    if navigation := _page_buttons(page, to_page):
        builder.row(*navigation)
    return builder.as_markup() if page.items or navigation else None


def import_keyboard(adding: int, message_id: int, *, owner: int) -> InlineKeyboardMarkup:
    """Under an import's preview: add the file's tasks, or not."""

    def data(action: ImportAction) -> ImportCallback:
        return ImportCallback(action=action, message=message_id, owner=owner)

    builder = InlineKeyboardBuilder()
    builder.button(
        text=_n("📥 Import {count} task", "📥 Import {count} tasks", adding).format(count=adding),
        callback_data=data(ImportAction.CONFIRM),
    )
    builder.button(text=_("✖️ Cancel"), callback_data=data(ImportAction.CANCEL))
    return builder.as_markup()


def search_keyboard(found: SearchPage, *, owner: int) -> InlineKeyboardMarkup | None:
    """Under /find's results: a number per task, to open its card (whose "back" goes to the
    list, as from /today), and the pages, each carrying the words searched for."""
    builder = InlineKeyboardBuilder()
    for task in found.items:
        open_card = TaskCallback(
            action=TaskAction.OPEN, number=task.number, view=TaskFilter.OPEN, page=0, owner=owner
        )
        builder.button(text=f"#{task.number}", callback_data=open_card)
    builder.adjust(NUMBERS_PER_ROW)

    def to_page(to: int) -> SearchCallback:
        return SearchCallback(page=to, owner=owner, query=found.query)

    if navigation := _page_buttons(found, to_page):
        builder.row(*navigation)
    return builder.as_markup() if found.items or navigation else None
