"""Importing a file: the person sends a JSON, CSV or ICS file (ours from /export, a Todoist
CSV export, a calendar's to-dos); the bot shows what it would add and asks; Import adds all
of it in one transaction, Cancel nothing.

Between the preview and the tap only the file's Telegram `file_id` waits, in the dialogue
storage beside (not inside) the person's dialogue, and it expires like a dialogue. On Import
the file is downloaded and read again: nothing parsed stays in memory, and a second tap, or
one on an old preview, finds the tasks its message made and says so instead of adding them
again.

Groups: a file sent to a group is not read (as text there is not taken for a task; a
preview would show the person's tasks to the group). /import there answers privately.
"""

from __future__ import annotations

import io
from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import ImportAction, ImportCallback
from bot.chat.dates import Clock, calendar_of
from bot.chat.filters import PRIVATE_CHAT, in_loop
from bot.chat.import_texts import (
    file_size_text,
    render_import_help,
    render_import_preview,
    render_import_result,
)
from bot.chat.keyboards import import_keyboard, open_list_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.replies import respond, respond_privately, show
from bot.schemas import Person
from bot.services import TaskService


def _waiting(state: FSMContext) -> FSMContext:
    """The import waiting for a tap, beside the person's dialogue (an /add can go on)."""
    return FSMContext(storage=state.storage, key=replace(state.key, destiny="import"))


async def _download(bot: Bot, file_id: str, task_service: TaskService) -> bytes:
    file = await bot.get_file(file_id)
    task_service.check_import_size(file.file_size)
    assert file.file_path is not None  # Telegram gives a path for a file it lets us have
    content = io.BytesIO()
    await bot.download_file(file.file_path, content)
    return content.getvalue()


async def import_command(message: Message, task_service: TaskService) -> None:
    await respond_privately(
        message,
        render_import_help(
            file_size_text(task_service.import_max_bytes), task_service.import_max_tasks
        ),
    )


async def receive_file(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    clock: Clock,
) -> None:
    assert message.document is not None  # the filter
    assert message.bot is not None  # set on every update the dispatcher feeds
    document = message.document
    task_service.check_import_size(document.file_size)  # before downloading anything
    content = await _download(message.bot, document.file_id, task_service)
    preview = await task_service.preview_import(person, content)
    cal = await calendar_of(person, task_service, clock)
    text = render_import_preview(preview, document.file_name, cal)
    if not preview.adding:
        await respond(message, text)
        return
    await _waiting(state).set_data({"file_id": document.file_id, "message": message.message_id})
    keyboard = import_keyboard(preview.adding, message.message_id, owner=person.telegram_id)
    await respond(message, text, keyboard)


async def answer_import(
    query: CallbackQuery,
    callback_data: ImportCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
) -> None:
    assert query.bot is not None  # set on every update the dispatcher feeds
    waiting = _waiting(state)
    pending = await waiting.get_data()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    owner = person.telegram_id
    if pending.get("message") != callback_data.message:
        # Tapped before (or twice at once), expired, or a newer file came since.
        done = await task_service.imported_from(person, chat_id, callback_data.message)
        if done.added:
            await show(
                query,
                render_import_result(done),
                open_list_keyboard(owner=owner),
                notice=_("Imported already."),
            )
            return
        await show(
            query,
            _(
                "This file is no longer waiting (it was a while ago, or another came after "
                "it). Nothing was added; send it again to import it."
            ),
        )
        return
    if callback_data.action is ImportAction.CANCEL:
        await waiting.set_data({})
        await show(query, _("Import cancelled: nothing was added."))
        return
    content = await _download(query.bot, str(pending["file_id"]), task_service)
    result = await task_service.import_file(
        person, content, chat_id=chat_id, message_id=callback_data.message
    )
    changes.saved()
    await waiting.set_data({})
    await show(query, render_import_result(result), open_list_keyboard(owner=owner))


def create_router() -> Router:
    router = Router(name=__name__)
    # A file first: one captioned "/import" is a file to import, not the command.
    router.message.register(receive_file, in_loop(F.document), PRIVATE_CHAT)
    router.message.register(import_command, Command("import"))
    router.callback_query.register(answer_import, ImportCallback.filter())
    return router
