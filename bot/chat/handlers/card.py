"""The task card: status buttons, edit (a short dialogue), delete (confirmed), undo, back.

A message that showed a task is brought up to date when the task changes: the card in
place after a status change or an edit, the list after a delete, "undone" after an undo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import (
    DueCallback,
    PriorityCallback,
    RemindCallback,
    RepeatCallback,
    TaskAction,
    TaskCallback,
)
from bot.chat.dates import Calendar, Clock, calendar_of
from bot.chat.filters import NOT_A_COMMAND
from bot.chat.handlers.listing import list_page
from bot.chat.keyboards import (
    card_keyboard,
    delete_confirmation_keyboard,
    edit_prompt_keyboard,
    list_keyboard,
    priority_keyboard,
)
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import (
    clip,
    priority_label,
    render_card,
    render_edit_prompt,
    render_list,
    status_label,
)
from bot.chat.replies import respond, send_to_presser, show
from bot.chat.states import EditTask
from bot.schemas import Person, TaskFilter, TaskRead, TaskStatus
from bot.services import TaskNotFound, TaskService

_STATUS_OF_ACTION = {
    TaskAction.TO_PENDING: TaskStatus.PENDING,
    TaskAction.TO_IN_PROGRESS: TaskStatus.IN_PROGRESS,
    TaskAction.TO_DONE: TaskStatus.DONE,
}


async def open_card(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await show_card(
        query, task, callback_data, person, await calendar_of(person, task_service, clock)
    )


async def change_status(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    status = _STATUS_OF_ACTION[callback_data.action]
    change = await task_service.change_status(person, callback_data.number, status)
    task = change.task
    notice = _("#{number}: {status}").format(number=task.number, status=status_label(task.status))
    if status is TaskStatus.DONE and task.status is not TaskStatus.DONE:  # a recurring task
        notice = _("🔁 #{number}: done; it repeats.").format(number=task.number)
    if not change.changed and task.status is status:
        # Already so: the card shows it (or will on the next press); no edit, no API error.
        await query.answer(notice)
        return
    changes.saved()
    cal = await calendar_of(person, task_service, clock)
    await show_card(query, task, callback_data, person, cal, notice=notice)


async def start_edit(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await begin_card_dialogue(query, state, EditTask.text, task, callback_data)
    await query.answer()
    keyboard = edit_prompt_keyboard(
        task, callback_data.view, callback_data.page, owner=person.telegram_id
    )
    await send_to_presser(query, render_edit_prompt(task), keyboard)


async def begin_card_dialogue(
    query: CallbackQuery, state: FSMContext, dialogue: State, task: TaskRead, back: TaskCallback
) -> None:
    """Wait for text about `task` (an edit, a due date, a reminder), remembering the list it
    came from and the card to bring up to date once it is saved."""
    card = query.message
    await state.set_state(dialogue)
    await state.update_data(
        number=task.number,
        view=back.view.value,
        page=back.page,
        tag=back.tag,
        card_chat=card.chat.id if card is not None else None,
        card_message=card.message_id if card is not None else None,
    )


async def show_card(
    query: CallbackQuery,
    task: TaskRead,
    back: TaskCallback | DueCallback | RemindCallback | RepeatCallback | PriorityCallback,
    person: Person,
    cal: Calendar,
    *,
    notice: str | None = None,
) -> None:
    """The card in place of the pressed message, its buttons back to the same list page."""
    tag = back.tag if isinstance(back, TaskCallback) else 0
    keyboard = card_keyboard(task, back.view, back.page, owner=person.telegram_id, tag=tag)
    await show(query, render_card(task, cal), keyboard, notice=notice)


async def card_dialogue_saved(
    message: Message,
    data: dict[str, Any],
    task: TaskRead,
    person: Person,
    cal: Calendar,
    intro: str,
) -> None:
    """A card dialogue's text is saved: the card it began on shows it, and so does the
    answer, with buttons back to the list it came from."""
    await refresh_card(message, data, task, person.telegram_id, cal)
    await respond(
        message,
        render_card(task, cal, intro=intro + "\n\n"),
        _dialogue_card_keyboard(task, data, person.telegram_id),
    )


def _dialogue_card_keyboard(
    task: TaskRead, data: dict[str, Any], owner: int
) -> InlineKeyboardMarkup:
    """The card's buttons, back to the list page the dialogue began from (its FSM data)."""
    view, page = TaskFilter(str(data.get("view", TaskFilter.OPEN))), int(data.get("page", 0))
    return card_keyboard(task, view, page, owner=owner, tag=int(data.get("tag", 0)))


async def save_card_dialogue(
    message: Message,
    state: FSMContext,
    changes: Changes,
    save: Callable[[int, str], Awaitable[TaskRead]],
    intro: Callable[[TaskRead, Calendar], str],
    *,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    """The text a card dialogue waited for: `save` it for the task the dialogue is about.
    Text the service refuses raises before the state is cleared, so the question stays;
    a task deleted meanwhile ends the dialogue."""
    assert message.text is not None  # NOT_A_COMMAND
    data = await state.get_data()
    try:
        task = await save(int(data["number"]), message.text)
    except TaskNotFound:
        await state.clear()  # nothing left to wait for
        raise
    changes.saved()
    await state.clear()
    cal = await calendar_of(person, task_service, clock)
    await card_dialogue_saved(message, data, task, person, cal, intro(task, cal))


async def refresh_card(
    message: Message, data: dict[str, Any], task: TaskRead, owner: int, cal: Calendar
) -> None:
    """Show the saved task on the card the edit started from."""
    chat_id, message_id = data.get("card_chat"), data.get("card_message")
    if not isinstance(chat_id, int) or not isinstance(message_id, int) or message.bot is None:
        return
    with suppress(TelegramBadRequest):  # gone, too old, or already showing this
        await message.bot.edit_message_text(
            render_card(task, cal),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=_dialogue_card_keyboard(task, data, owner),
        )


async def finish_edit(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    await save_card_dialogue(
        message,
        state,
        changes,
        lambda number, text: task_service.edit_task(person, number, text),
        lambda _task, _cal: _("✏️ Saved."),
        person=person,
        task_service=task_service,
        clock=clock,
    )


async def clear_description(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    task = await task_service.clear_description(person, callback_data.number)
    changes.saved()
    if (await state.get_data()).get("number") == task.number:
        await state.clear()  # that was the edit
    keyboard = card_keyboard(
        task,
        callback_data.view,
        callback_data.page,
        owner=person.telegram_id,
        tag=callback_data.tag,
    )
    await show(
        query,
        render_card(
            task,
            await calendar_of(person, task_service, clock),
            intro=_("🧹 Description removed.") + "\n\n",
        ),
        keyboard,
        notice=_("#{number}: description removed").format(number=task.number),
    )


async def ask_delete(
    query: CallbackQuery, callback_data: TaskCallback, person: Person, task_service: TaskService
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await show(
        query,
        _("Delete #{number} «{title}» for good?").format(
            number=task.number, title=escape(clip(task.title, 100))
        ),
        delete_confirmation_keyboard(
            task,
            callback_data.view,
            callback_data.page,
            owner=person.telegram_id,
            tag=callback_data.tag,
        ),
    )


async def delete(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    task = await task_service.delete_task(person, callback_data.number)
    changes.saved()
    page = await list_page(
        person, task_service, callback_data.view, callback_data.page, callback_data.tag
    )
    await show(
        query,
        render_list(page, await calendar_of(person, task_service, clock)),
        list_keyboard(page, owner=person.telegram_id),
        notice=_("Deleted #{number}.").format(number=task.number),
    )


async def undo_add(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
) -> None:
    task = await task_service.delete_task(person, callback_data.number)
    changes.saved()
    await show(
        query,
        _("↩️ Undone: #{number} «{title}» is removed.").format(
            number=task.number, title=escape(clip(task.title, 100))
        ),
    )


async def ask_priority(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await show(
        query,
        _("How important is #{number} «{title}»?").format(
            number=task.number, title=escape(clip(task.title, 60))
        ),
        priority_keyboard(task, callback_data.view, callback_data.page, owner=person.telegram_id),
    )


async def set_priority(
    query: CallbackQuery,
    callback_data: PriorityCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    level = callback_data.level if callback_data.level in (1, 2, 3) else None
    task = await task_service.set_priority(person, callback_data.number, level)
    changes.saved()
    cal = await calendar_of(person, task_service, clock)
    notice = priority_label(level) if level is not None else _("No priority")
    await show_card(query, task, callback_data, person, cal, notice=notice)


def create_router() -> Router:
    def on(*actions: TaskAction) -> Filter:
        return TaskCallback.filter(F.action.in_(actions))

    router = Router(name=__name__)
    router.callback_query.register(open_card, on(TaskAction.OPEN))
    router.callback_query.register(change_status, on(*_STATUS_OF_ACTION))
    router.callback_query.register(start_edit, on(TaskAction.EDIT))
    router.callback_query.register(clear_description, on(TaskAction.CLEAR_DESCRIPTION))
    router.message.register(finish_edit, NOT_A_COMMAND, StateFilter(EditTask.text))
    router.callback_query.register(ask_delete, on(TaskAction.DELETE))
    router.callback_query.register(delete, on(TaskAction.DELETE_CONFIRMED))
    router.callback_query.register(undo_add, on(TaskAction.UNDO))
    router.callback_query.register(ask_priority, on(TaskAction.PRIORITY))
    router.callback_query.register(set_priority, PriorityCallback.filter())
    return router
