"""Adding tasks: `/add text`, `/add` then the text, and plain text in a private chat."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.chat.filters import NOT_A_COMMAND, PRIVATE_CHAT
from bot.chat.keyboards import card_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import render_card
from bot.chat.replies import respond
from bot.chat.states import AddTask
from bot.schemas import Person
from bot.services import TaskService


async def add_from(
    message: Message,
    text: str,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    *,
    undo: bool,
) -> None:
    result = await task_service.add_task(
        person, text, chat_id=message.chat.id, message_id=message.message_id
    )
    changes.saved()
    intro = _("➕ Added.") + "\n\n"
    await respond(
        message,
        render_card(result.task, intro=intro),
        card_keyboard(result.task, owner=person.telegram_id, undo=undo),
    )


async def add_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(AddTask.text)
        await respond(
            message,
            _(
                "What is the task? Send its text: the first line is the title, the next "
                "lines a description. /cancel to stop."
            ),
        )
        return
    await add_from(message, command.args, person, task_service, changes, undo=False)


async def add_from_dialogue(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    # A refused text (too long, empty) raises before this line, so the dialogue waits on.
    await add_from(message, message.text, person, task_service, changes, undo=False)
    await state.clear()


async def add_plain_text(
    message: Message, person: Person, task_service: TaskService, changes: Changes
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    await add_from(message, message.text, person, task_service, changes, undo=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(add_command, Command("add"))
    router.message.register(add_from_dialogue, NOT_A_COMMAND, StateFilter(AddTask.text))
    router.message.register(add_plain_text, NOT_A_COMMAND, StateFilter(None), PRIVATE_CHAT)
    return router
