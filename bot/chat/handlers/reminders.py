"""The buttons under a delivered reminder (done, snooze, open) and /remind."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import ReminderAction, ReminderCallback
from bot.chat.dates import Calendar, Clock, calendar_of, day_name, due_text
from bot.chat.handlers.done import parse_numbers
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import clip
from bot.chat.replies import respond, show
from bot.schemas import Person, TaskRead, TaskStatus
from bot.services import TaskService

_SNOOZES = {ReminderAction.SNOOZE_15: 15, ReminderAction.SNOOZE_60: 60}


def _moment(moment: datetime, cal: Calendar) -> str:
    """ "Thu 3 Dec, 09:00" in the person's zone."""
    local = moment.astimezone(cal.zone)
    return f"{day_name(local.date())}, {local:%H:%M}"


def render_done(task: TaskRead, cal: Calendar) -> str:
    title = escape(clip(task.title, 100))
    if task.status is not TaskStatus.DONE and task.recurrence and task.due_at is not None:
        return _("🔁 #{number} {title}: done; next {when}").format(
            number=task.number, title=title, when=due_text(task, cal.zone, cal.today)
        )
    return _("✅ #{number} {title}: done").format(number=task.number, title=title)


async def reminder_button(
    query: CallbackQuery,
    callback_data: ReminderCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    number = callback_data.number
    cal = await calendar_of(person, task_service, clock)
    if callback_data.action is ReminderAction.DONE:
        change = await task_service.change_status(person, number, TaskStatus.DONE)
        changes.saved()
        await show(query, render_done(change.task, cal))
        return
    if callback_data.action is ReminderAction.TOMORROW_MORNING:
        until = task_service.morning_after(cal.zone.key)
    else:
        until = clock() + timedelta(minutes=_SNOOZES[callback_data.action])
    task = await task_service.remind_at(person, number, until)
    changes.saved()
    await show(
        query,
        _("⏰ #{number} {title}: I'll remind you {when}.").format(
            number=task.number, title=escape(clip(task.title, 100)), when=_moment(until, cal)
        ),
        notice=_("Snoozed until {when}").format(when=_moment(until, cal)),
    )


async def remind_command(
    message: Message,
    command: CommandObject,
    person: Person,
    task_service: TaskService,
    changes: Changes,
    clock: Clock,
) -> None:
    number_text, _space, phrase = (command.args or "").strip().partition(" ")
    numbers, _invalid = parse_numbers(number_text)
    if len(numbers) != 1 or not phrase.strip():
        await respond(
            message,
            _(
                "Which task, and when? <code>/remind 3 in 2 hours</code>, "
                "<code>/remind 3 завтра в 9</code>, <code>/remind 3 off</code>."
            ),
        )
        return
    [number] = numbers
    cal = await calendar_of(person, task_service, clock)
    if phrase.strip().lower() in {"off", "выкл", "нет", "no", "none"}:
        task = await task_service.remind_at(person, number, None)
        changes.saved()
        await respond(message, _("🔕 #{number}: no reminder.").format(number=task.number))
        return
    task = await task_service.remind_phrase(person, number, phrase)
    changes.saved()
    assert task.remind_at is not None
    await respond(
        message,
        _("⏰ #{number} {title}: I'll remind you {when}.").format(
            number=task.number,
            title=escape(clip(task.title, 100)),
            when=_moment(task.remind_at, cal),
        ),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(reminder_button, ReminderCallback.filter())
    router.message.register(remind_command, Command("remind"))
    return router
