"""/list and its pages and filters (status, tag), edited in place."""

from __future__ import annotations

from contextlib import suppress
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
from bot.schemas import Person, TaskFilter, TaskPage
from bot.services import TaskService, UnknownTag

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
    """`/list`, `/list done`, `/list #home`, `/list all #home`."""
    task_filter, tag_name = TaskFilter.OPEN, None
    for word in (command.args or "").lower().split():
        if word.startswith("#"):
            tag_name = word
        elif word in _FILTER_WORDS:
            task_filter = _FILTER_WORDS[word]
        else:
            await respond(
                message,
                _(
                    "I don't know «{word}» here. Try <code>/list</code>, <code>/list done</code>, "
                    "<code>/list all</code> or <code>/list #home</code>."
                ).format(word=escape(clip(word, 30))),
            )
            return
    # An unknown tag raises UnknownTag: the answer names it and points to /tags.
    tag = await task_service.find_tag(person, name=tag_name) if tag_name else None
    page = await task_service.list_tasks(person, task_filter, tag=tag)
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(
        message, render_list(page, cal), list_keyboard(page, owner=person.telegram_id)
    )


async def list_page(
    person: Person, task_service: TaskService, view: TaskFilter, page: int, tag_id: int
) -> TaskPage:
    """A list page a button asks for; `tag_id` 0: every tag."""
    tag = None
    if tag_id:
        # A tag removed since the button was made: the whole list, rather than an error.
        with suppress(UnknownTag):
            tag = await task_service.find_tag(person, tag_id=tag_id)
    return await task_service.list_tasks(person, view, page, tag=tag)


async def turn_page(
    query: CallbackQuery,
    callback_data: ListCallback,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    page = await list_page(
        person, task_service, callback_data.view, callback_data.page, callback_data.tag
    )
    cal = await calendar_of(person, task_service, clock)
    await show(query, render_list(page, cal), list_keyboard(page, owner=person.telegram_id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_command, Command("list"))
    router.callback_query.register(turn_page, ListCallback.filter())
    return router
