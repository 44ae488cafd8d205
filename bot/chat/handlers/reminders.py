"""The buttons under a delivered reminder (done, snooze, open) and /remind."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import (
    RemindCallback,
    ReminderAction,
    ReminderCallback,
    RemindPreset,
    TaskAction,
    TaskCallback,
)
from bot.chat.dates import Calendar, Clock, calendar_of, day_name, due_text
from bot.chat.filters import NOT_A_COMMAND
from bot.chat.handlers.card import begin_card_dialogue, save_card_dialogue, show_card
from bot.chat.handlers.done import parse_numbers
from bot.chat.keyboards import remind_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import clip
from bot.chat.replies import respond, respond_privately, show
from bot.chat.states import EditReminder
from bot.schemas import Person, TaskRead, TaskStatus
from bot.services import TaskService

_SNOOZES = {ReminderAction.SNOOZE_15: 15, ReminderAction.SNOOZE_60: 60}
_NAGS: dict[RemindPreset, int | None] = {
    RemindPreset.NAG_15: 15,
    RemindPreset.NAG_60: 60,
    RemindPreset.NAG_OFF: None,
}


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
        await respond_privately(message, _("🔕 #{number}: no reminder.").format(number=task.number))
        return
    task = await task_service.remind_phrase(person, number, phrase)
    changes.saved()
    assert task.remind_at is not None
    await respond_privately(
        message,
        _("⏰ #{number} {title}: I'll remind you {when}.").format(
            number=task.number,
            title=escape(clip(task.title, 100)),
            when=_moment(task.remind_at, cal),
        ),
    )


# -- the card's reminder picker ------------------------------------------------------------


def _reminder_now(task: TaskRead, cal: Calendar) -> str:
    return _moment(task.remind_at, cal) if task.remind_at is not None else _("none")


async def ask_reminder(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    clock: Clock,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    cal = await calendar_of(person, task_service, clock)
    await begin_card_dialogue(query, state, EditReminder.text, task, callback_data)
    await show(
        query,
        _(
            "When should I remind you of #{number} «{title}»? Now: {now}.\n\n"
            "Pick one, or send it in words: <code>in 2 hours</code>, "
            "<code>завтра в 9</code>, <code>friday 18:00</code>."
        ).format(
            number=task.number,
            title=escape(clip(task.title, 60)),
            now=_reminder_now(task, cal),
        ),
        remind_keyboard(task, callback_data.view, callback_data.page, owner=person.telegram_id),
    )


async def remind_preset(
    query: CallbackQuery,
    callback_data: RemindCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    number = callback_data.number
    nag = _NAGS.get(callback_data.preset, -1)
    if nag != -1:
        task = await task_service.set_nag(person, number, nag)
    elif callback_data.preset is RemindPreset.OFF:
        task = await task_service.remind_at(person, number, None)
    else:
        minutes = int(callback_data.preset.value)
        task = await task_service.remind_before_due(person, number, minutes)
    changes.saved()
    if await state.get_state() == EditReminder.text.state:
        await state.clear()
    cal = await calendar_of(person, task_service, clock)
    notice = _("⏰ Reminder: {when}").format(when=_reminder_now(task, cal))
    await show_card(query, task, callback_data, person, cal, notice=notice)


async def reminder_typed(
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
        lambda number, text: task_service.remind_phrase(person, number, text),
        lambda task, cal: _("⏰ Reminder: {when}").format(when=_reminder_now(task, cal)),
        person=person,
        task_service=task_service,
        clock=clock,
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(reminder_button, ReminderCallback.filter())
    router.message.register(remind_command, Command("remind"))
    router.callback_query.register(ask_reminder, TaskCallback.filter(F.action == TaskAction.REMIND))
    router.callback_query.register(remind_preset, RemindCallback.filter())
    router.message.register(reminder_typed, NOT_A_COMMAND, StateFilter(EditReminder.text))
    return router
