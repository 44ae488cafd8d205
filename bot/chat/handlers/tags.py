"""Tags: /tags and its buttons, and the card's tags dialogue ("#home #work", "-" for none).

Tags typed in a task's text ("Buy milk #home") are read by the service when adding and
editing; the list's filter by tag is /list's (bot.chat.handlers.listing).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import TagsCallback, TaskAction, TaskCallback
from bot.chat.dates import Clock
from bot.chat.filters import NOT_A_COMMAND
from bot.chat.handlers.card import begin_card_dialogue, save_card_dialogue
from bot.chat.keyboards import tags_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import render_tags, render_tags_prompt
from bot.chat.replies import respond_privately, send_to_presser, show
from bot.chat.states import EditTags
from bot.schemas import Person
from bot.services import TaskService


async def tags_command(message: Message, person: Person, task_service: TaskService) -> None:
    tags = await task_service.tags(person)
    await respond_privately(
        message, render_tags(tags), tags_keyboard(tags, owner=person.telegram_id)
    )


async def show_tags(query: CallbackQuery, person: Person, task_service: TaskService) -> None:
    tags = await task_service.tags(person)
    await show(query, render_tags(tags), tags_keyboard(tags, owner=person.telegram_id))


async def ask_tags(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    await begin_card_dialogue(query, state, EditTags.text, task, callback_data)
    await query.answer()
    await send_to_presser(query, render_tags_prompt(task))


async def tags_typed(
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
        lambda number, text: task_service.set_tags(person, number, text),
        lambda _task, _cal: _("🏷 Saved."),
        person=person,
        task_service=task_service,
        clock=clock,
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(tags_command, Command("tags"))
    router.callback_query.register(show_tags, TagsCallback.filter())
    router.callback_query.register(ask_tags, TaskCallback.filter(F.action == TaskAction.TAGS))
    router.message.register(tags_typed, NOT_A_COMMAND, StateFilter(EditTags.text))
    return router
