"""/find: a person's tasks by words of their titles, descriptions and tags, paged like /list.

`/find` alone asks what to look for, and the next message is the query (/cancel leaves).
The page buttons carry the words searched for, so they keep working as long as the message
is there, after a restart too: there is no state to lose.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import SearchCallback
from bot.chat.dates import Clock, calendar_of
from bot.chat.filters import NOT_A_COMMAND
from bot.chat.keyboards import search_keyboard
from bot.chat.rendering import render_search
from bot.chat.replies import respond, respond_privately, show
from bot.chat.states import SearchTasks
from bot.schemas import Person
from bot.services import TaskService


async def find_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    clock: Clock,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(SearchTasks.query)
        await respond(
            message,
            _(
                "What should I look for? Send a word or two from a task's title or "
                "description. /cancel to stop."
            ),
        )
        return
    await _results(message, command.args, person, task_service, clock)


async def find_from_dialogue(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    clock: Clock,
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    # A text with no words to look for raises before the state is cleared: the question
    # stays, and the answer says what it wants.
    await _results(message, message.text, person, task_service, clock)
    await state.clear()


async def _results(
    message: Message, text: str, person: Person, task_service: TaskService, clock: Clock
) -> None:
    found = await task_service.search(person, text)
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(
        message, render_search(found, cal), search_keyboard(found, owner=person.telegram_id)
    )


async def turn_page(
    query: CallbackQuery,
    callback_data: SearchCallback,
    person: Person,
    task_service: TaskService,
    clock: Clock,
) -> None:
    found = await task_service.search(person, callback_data.query, callback_data.page)
    cal = await calendar_of(person, task_service, clock)
    await show(query, render_search(found, cal), search_keyboard(found, owner=person.telegram_id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(find_command, Command("find"))
    router.message.register(find_from_dialogue, NOT_A_COMMAND, StateFilter(SearchTasks.query))
    router.callback_query.register(turn_page, SearchCallback.filter())
    return router
