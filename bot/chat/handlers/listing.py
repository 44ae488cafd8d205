"""/list and its pages and filters, edited in place."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import ListCallback
from bot.chat.dates import Clock, calendar_of
from bot.chat.keyboards import list_keyboard
from bot.chat.rendering import clip, render_list
from bot.chat.replies import respond, respond_privately, show
from bot.schemas import Person, TaskFilter
from bot.services import TaskService

# `/list done` and `/list all` open the list on that filter (English and Russian words).
_FILTER_WORDS = {
    "open": TaskFilter.OPEN,
    "done": TaskFilter.DONE,
    "all": TaskFilter.ALL,
    "открытые": TaskFilter.OPEN,
    "готовые": TaskFilter.DONE,
    "сделанные": TaskFilter.DONE,
    "все": TaskFilter.ALL,
}


async def list_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    word = (command.args or "").strip().lower()
    if word and word not in _FILTER_WORDS:
        await respond(
            message,
            _(
                "I don't know «{word}» here. Try <code>/list</code>, <code>/list done</code> "
                "or <code>/list all</code>."
            ).format(word=escape(clip(word, 30))),
        )
        return
    page = await task_service.list_tasks(person, _FILTER_WORDS.get(word, TaskFilter.OPEN))
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(
        message, render_list(page, cal), list_keyboard(page, owner=person.telegram_id)
    )


async def turn_page(
    query: CallbackQuery,
    callback_data: ListCallback,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    page = await task_service.list_tasks(person, callback_data.view, callback_data.page)
    cal = await calendar_of(person, task_service, clock)
    await show(query, render_list(page, cal), list_keyboard(page, owner=person.telegram_id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_command, Command("list"))
    router.callback_query.register(turn_page, ListCallback.filter())
    return router
