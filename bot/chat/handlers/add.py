"""Adding tasks: `/add text`, `/add` then the text, plain text in a private chat, and lists.

A bulleted list, or `/add` alone on its first line with a line per task below it, makes one
task per line. Plain text of several lines (a pasted list?) is not guessed at: the bot asks
whether it is one task with a description or one task per line, and keeps the text
meanwhile (under its own key in the FSM storage, so dialogues don't disturb it).
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.bursts import Bursts
from bot.chat.callbacks import PasteCallback, PasteChoice
from bot.chat.dates import Clock, calendar_of
from bot.chat.filters import NOT_A_COMMAND, PRIVATE_CHAT
from bot.chat.keyboards import added_keyboard, open_list_keyboard, paste_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import render_added, render_batch, render_paste_question
from bot.chat.replies import respond, show
from bot.chat.states import AddTask
from bot.schemas import Person
from bot.services import TaskService
from bot.services.text import is_bulleted_list, lines_of

# Pasted texts waiting for "one task, or one per line?", by message id; the oldest go first.
PENDING_PASTES = 5


async def add_one(
    message: Message,
    text: str,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    result = await task_service.add_task(
        person, text, chat_id=message.chat.id, message_id=message.message_id
    )
    changes.saved()
    cal = await calendar_of(person, task_service, clock)
    owner = person.telegram_id
    await respond(message, render_added(result.task, cal), added_keyboard(result.task, owner=owner))


async def add_lines(
    message: Message,
    lines: list[str],
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    result = await task_service.add_tasks(
        person, lines, chat_id=message.chat.id, message_id=message.message_id
    )
    changes.saved()
    cal = await calendar_of(person, task_service, clock)
    await respond(
        message, render_batch(result.tasks, cal), open_list_keyboard(owner=person.telegram_id)
    )


async def add_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(AddTask.text)
        await respond(
            message,
            _(
                "What is the task? Send its text: the first line is the title, the next "
                "lines a description. A list (a line per task, each starting with «-») makes "
                "one task per line. /cancel to stop."
            ),
        )
        return
    assert message.text is not None  # a command is text
    first_line, _newline, below = message.text.partition("\n")
    if first_line.strip() == f"/{command.command}" + (
        f"@{command.mention}" if command.mention else ""
    ):
        # `/add` alone on its line, the tasks below it: one task per line.
        lines = lines_of(below)
        if len(lines) > 1:
            await add_lines(message, lines, person, task_service, changes, clock)
            return
    if is_bulleted_list(command.args):
        await add_lines(message, lines_of(command.args), person, task_service, changes, clock)
        return
    await add_one(message, command.args, person, task_service, changes, clock)


async def add_from_dialogue(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    # A refused text (too long, empty) raises before the state is cleared: the dialogue waits.
    if is_bulleted_list(message.text):
        await add_lines(message, lines_of(message.text), person, task_service, changes, clock)
    else:
        await add_one(message, message.text, person, task_service, changes, clock)
    await state.clear()


def _pastes(state: FSMContext) -> FSMContext:
    """The person's pending pastes, beside (not inside) their dialogue state."""
    return FSMContext(storage=state.storage, key=replace(state.key, destiny="pastes"))


async def add_plain_text(
    message: Message,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    bursts: Bursts,
    clock: Clock,
) -> None:
    assert message.text is not None  # NOT_A_COMMAND
    text = message.text
    if bursts.in_burst(person.telegram_id):
        # One of many messages at once (forwards, a pasted batch): saved now, answered
        # together once they stop. No question about lines in the middle of a burst.
        ids = {"chat_id": message.chat.id, "message_id": message.message_id}
        if is_bulleted_list(text):
            tasks = (await task_service.add_tasks(person, lines_of(text), **ids)).tasks
        else:
            tasks = ((await task_service.add_task(person, text, **ids)).task,)
        changes.saved()
        assert message.bot is not None
        cal = await calendar_of(person, task_service, clock)
        bursts.added(message.bot, message.chat.id, person.telegram_id, tasks, cal)
        return
    if is_bulleted_list(text):
        await add_lines(message, lines_of(text), person, task_service, changes, clock)
        return
    lines = lines_of(text)
    if len(lines) < 2:
        await add_one(message, text, person, task_service, changes, clock)
        return
    pastes = _pastes(state)
    pending = await pastes.get_data()
    pending[str(message.message_id)] = text
    while len(pending) > PENDING_PASTES:
        pending.pop(next(iter(pending)))
    await pastes.set_data(pending)
    await respond(
        message,
        render_paste_question(lines),
        paste_keyboard(len(lines), message.message_id, owner=person.telegram_id),
    )


async def choose_paste(
    query: CallbackQuery,
    callback_data: PasteCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    pastes = _pastes(state)
    pending = await pastes.get_data()
    text = pending.pop(str(callback_data.message), None)
    if text is None:
        await show(
            query,
            _("That text is no longer waiting (it was a while ago). Send it again, please."),
        )
        return
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    owner = person.telegram_id
    if callback_data.choice is PasteChoice.ONE_TASK:
        added = await task_service.add_task(
            person, text, chat_id=chat_id, message_id=callback_data.message
        )
        changes.saved()
        cal = await calendar_of(person, task_service, clock)
        await show(query, render_added(added.task, cal), added_keyboard(added.task, owner=owner))
    else:
        batch = await task_service.add_tasks(
            person, lines_of(text), chat_id=chat_id, message_id=callback_data.message
        )
        changes.saved()
        cal = await calendar_of(person, task_service, clock)
        await show(query, render_batch(batch.tasks, cal), open_list_keyboard(owner=owner))
    await pastes.set_data(pending)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(add_command, Command("add"))
    router.message.register(add_from_dialogue, NOT_A_COMMAND, StateFilter(AddTask.text))
    router.message.register(add_plain_text, NOT_A_COMMAND, StateFilter(None), PRIVATE_CHAT)
    router.callback_query.register(choose_paste, PasteCallback.filter())
    return router
