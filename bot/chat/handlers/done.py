"""/done with numbers, and /done alone: a picker of open tasks to tick."""

from __future__ import annotations

import re

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import DonePickerCallback, PickAction
from bot.chat.dates import Clock, calendar_of
from bot.chat.keyboards import done_picker_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import render_done_picker, render_done_report
from bot.chat.replies import respond, respond_privately, show
from bot.schemas import DoneOutcome, Person, TaskFilter
from bot.services import TaskService

MAX_NUMBERS = 50
# 25 digits is beyond any task number and far below Python's int-parsing limit.
_NUMBER = re.compile(r"#?(\d{1,25})")
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_numbers(text: str) -> tuple[list[int], list[str]]:
    """`3 5 #7, x` → ([3, 5, 7], ["x"])."""
    numbers, invalid = [], []
    for token in filter(None, _SEPARATORS.split(text)):
        match = _NUMBER.fullmatch(token)
        if match:
            numbers.append(int(match.group(1)))
        else:
            invalid.append(token)
    return numbers, invalid


async def done_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    args = (command.args or "").strip()
    if not args:
        page = await task_service.list_tasks(person, TaskFilter.OPEN)
        await respond_privately(
            message, render_done_picker(page), done_picker_keyboard(page, owner=person.telegram_id)
        )
        return
    numbers, invalid = parse_numbers(args)
    if not numbers:
        await respond(
            message,
            _(
                "Send the numbers of the tasks you finished: <code>/done 3</code> or "
                "<code>/done 3 5 #7</code>. <code>/done</code> alone lets you pick them."
            ),
        )
        return
    if len(numbers) + len(invalid) > MAX_NUMBERS:
        await respond(
            message,
            _("That is a lot at once: send at most {limit} numbers. Nothing was changed.").format(
                limit=MAX_NUMBERS
            ),
        )
        return
    reports = await task_service.mark_done(person, numbers)
    if any(r.outcome in (DoneOutcome.DONE, DoneOutcome.RESCHEDULED) for r in reports):
        changes.saved()
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(message, render_done_report(reports, invalid, cal))


async def pick(
    query: CallbackQuery,
    callback_data: DonePickerCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
) -> None:
    notice = None
    if callback_data.action is PickAction.TICK:
        [report] = await task_service.mark_done(person, [callback_data.number])
        changes.saved()
        notices = {
            DoneOutcome.DONE: _("✅ #{number} done."),
            DoneOutcome.ALREADY_DONE: _("#{number} was already done."),
            DoneOutcome.NOT_FOUND: _("#{number} no longer exists."),
            DoneOutcome.RESCHEDULED: _("🔁 #{number} done; it repeats."),
        }
        notice = notices[report.outcome].format(number=report.number)
    page = await task_service.list_tasks(person, TaskFilter.OPEN, callback_data.page)
    await show(
        query,
        render_done_picker(page),
        done_picker_keyboard(page, owner=person.telegram_id),
        notice=notice,
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(done_command, Command("done"))
    router.callback_query.register(pick, DonePickerCallback.filter())
    return router
