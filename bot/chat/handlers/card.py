"""The task card: status buttons, edit (a short dialogue), delete (confirmed), undo, back."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import TaskAction, TaskCallback
from bot.chat.filters import NOT_A_COMMAND
from bot.chat.keyboards import card_keyboard, delete_confirmation_keyboard, list_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import clip, render_card, render_list, status_label
from bot.chat.replies import respond, send_to_presser, show
from bot.chat.states import EditTask
from bot.schemas import Person, TaskFilter, TaskStatus
from bot.services import TaskNotFound, TaskService

_STATUS_OF_ACTION = {
    TaskAction.TO_PENDING: TaskStatus.PENDING,
    TaskAction.TO_IN_PROGRESS: TaskStatus.IN_PROGRESS,
    TaskAction.TO_DONE: TaskStatus.DONE,
}


async def open_card(
    query: CallbackQuery, callback_data: TaskCallback, person: Person, task_service: TaskService
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await show(
        query,
        render_card(task),
        card_keyboard(task, callback_data.view, callback_data.page, owner=person.telegram_id),
    )
    await query.answer()


async def change_status(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
) -> None:
    status = _STATUS_OF_ACTION[callback_data.action]
    task = await task_service.set_status(person, callback_data.number, status)
    changes.saved()
    await show(
        query,
        render_card(task),
        card_keyboard(task, callback_data.view, callback_data.page, owner=person.telegram_id),
    )
    await query.answer(
        _("#{number}: {status}").format(number=task.number, status=status_label(task.status))
    )


async def start_edit(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await state.set_state(EditTask.text)
    await state.update_data(
        number=task.number, view=callback_data.view.value, page=callback_data.page
    )
    await query.answer()
    await send_to_presser(
        query,
        _(
            "Send the new text for #{number}. The first line becomes the title; further lines, "
            "if any, replace the description. /cancel to keep it as it is.\n\n"
            "Now: <code>{title}</code>"
        ).format(number=task.number, title=escape(task.title)),
    )


async def finish_edit(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    data = await state.get_data()
    try:
        task = await task_service.edit_task(person, int(data["number"]), message.text)
    except TaskNotFound:
        await state.clear()  # deleted meanwhile: nothing left to wait for
        raise
    changes.saved()
    await state.clear()
    task_filter, page = TaskFilter(data.get("view", TaskFilter.OPEN)), int(data.get("page", 0))
    await respond(
        message,
        render_card(task, intro=_("✏️ Saved.") + "\n\n"),
        card_keyboard(task, task_filter, page, owner=person.telegram_id),
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
            task, callback_data.view, callback_data.page, owner=person.telegram_id
        ),
    )
    await query.answer()


async def delete(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
) -> None:
    task = await task_service.delete_task(person, callback_data.number)
    changes.saved()
    page = await task_service.list_tasks(person, callback_data.view, callback_data.page)
    await show(query, render_list(page), list_keyboard(page, owner=person.telegram_id))
    await query.answer(_("Deleted #{number}.").format(number=task.number))


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
    await query.answer()


def create_router() -> Router:
    def on(*actions: TaskAction) -> Filter:
        return TaskCallback.filter(F.action.in_(actions))

    router = Router(name=__name__)
    router.callback_query.register(open_card, on(TaskAction.OPEN))
    router.callback_query.register(change_status, on(*_STATUS_OF_ACTION))
    router.callback_query.register(start_edit, on(TaskAction.EDIT))
    router.message.register(finish_edit, NOT_A_COMMAND, StateFilter(EditTask.text))
    router.callback_query.register(ask_delete, on(TaskAction.DELETE))
    router.callback_query.register(delete, on(TaskAction.DELETE_CONFIRMED))
    router.callback_query.register(undo_add, on(TaskAction.UNDO))
    return router
