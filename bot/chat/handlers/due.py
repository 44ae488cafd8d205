"""Time: /today, /upcoming, /tz (a name, a city, an offset, or a shared location), and the
card's due date picker (presets, or a date typed in plain words)."""

from __future__ import annotations

from datetime import date
from html import escape
from itertools import groupby
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import (
    DueCallback,
    DuePreset,
    RepeatCallback,
    RepeatPreset,
    TaskAction,
    TaskCallback,
)
from bot.chat.dates import Calendar, Clock, calendar_of, day_name, due_text, local_day
from bot.chat.filters import NOT_A_COMMAND, in_loop
from bot.chat.handlers.card import begin_card_dialogue, save_card_dialogue, show_card
from bot.chat.keyboards import due_keyboard, numbers_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import MESSAGE_LIMIT, clip, task_line, utf16_length
from bot.chat.replies import respond, respond_privately, show
from bot.chat.states import EditDue
from bot.schemas import DueTasks, Person, TaskRead
from bot.services import TaskService, UnknownTimezone
from bot.services.zones import resolve_zone, zone_at

# What each preset means, in words the due parser reads.
_PRESETS = {
    DuePreset.TODAY: "today",
    DuePreset.TOMORROW: "tomorrow",
    DuePreset.NEXT_WEEK: "next week",
}


def _fit(lines: list[str]) -> str:
    """Lines up to Telegram's limit; what does not fit is counted, not cut mid-line."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + utf16_length(line) + 40 > MESSAGE_LIMIT:
            kept.append(_("…and {count} more").format(count=len(lines) - index))
            break
        kept.append(line)
        used += utf16_length(line) + 1
    return "\n".join(kept)


def render_today(due: DueTasks, cal: Calendar) -> str:
    if not due.tasks:
        return _("☀️ Nothing due today. /upcoming shows the next days.")
    overdue = [task for task in due.tasks if _day(task, cal) < cal.today]
    today = [task for task in due.tasks if _day(task, cal) == cal.today]
    lines = [_("☀️ <b>Today</b>, {day}").format(day=day_name(cal.today))]
    if overdue:
        lines += ["", _("⏰ <b>Overdue</b>")] + [task_line(task, cal) for task in overdue]
    if today:
        lines += [""] + [task_line(task, cal) for task in today]
    return _fit(lines)


def render_upcoming(due: DueTasks, cal: Calendar) -> str:
    if not due.tasks:
        return _("🗓 Nothing due in the next 7 days.")
    lines = [_("🗓 <b>The next 7 days</b>")]
    for day, tasks in groupby(due.tasks, key=lambda task: _day(task, cal)):
        lines += ["", f"<b>{day_name(day)}</b>"]
        lines += [_day_line(task, cal) for task in tasks]
    return _fit(lines)


def _day(task: TaskRead, cal: Calendar) -> date:
    assert task.due_at is not None  # these views hold dated tasks only
    return local_day(task.due_at, cal.zone)


def _day_line(task: TaskRead, cal: Calendar) -> str:
    """A task under its day's heading: the time, not the date again."""
    assert task.due_at is not None
    when = f"{task.due_at.astimezone(cal.zone):%H:%M} " if task.due_has_time else ""
    return f"{when}<b>#{task.number}</b> {escape(clip(task.title, 80))}"


async def today_command(
    message: Message, person: Person, task_service: TaskService, clock: Clock
) -> None:
    due = await task_service.due_soon(person, 1, overdue=True)
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(
        message, render_today(due, cal), numbers_keyboard(due.tasks, owner=person.telegram_id)
    )


async def upcoming_command(
    message: Message, person: Person, task_service: TaskService, clock: Clock
) -> None:
    due = await task_service.due_soon(person, 7, overdue=False)
    cal = await calendar_of(person, task_service, clock)
    await respond_privately(
        message, render_upcoming(due, cal), numbers_keyboard(due.tasks, owner=person.telegram_id)
    )


# -- time zone ----------------------------------------------------------------------------------


def _zone_examples() -> str:
    return _(
        "Send a city or a zone name, or an offset from UTC: <code>/tz Moscow</code>, "
        "<code>/tz Europe/Berlin</code>, <code>/tz +3</code>. Or share a location "
        "(📎 → Location): I look its zone up without sending it anywhere."
    )


async def tz_command(
    message: Message, command: CommandObject, person: Person, task_service: TaskService
) -> None:
    wanted = (command.args or "").strip()
    if not wanted:
        current = await task_service.zone_of(person)
        await respond(
            message,
            _("🕐 Your time zone: <b>{zone}</b>.").format(zone=current.name)
            + "\n"
            + _zone_examples(),
        )
        return
    zone = resolve_zone(wanted)
    if zone is None:
        raise UnknownTimezone(wanted)
    await _set_zone(message, person, task_service, zone)


async def _set_zone(
    message: Message, person: Person, task_service: TaskService, zone: ZoneInfo
) -> None:
    await task_service.set_timezone(person, zone)
    await respond(
        message,
        _("🕐 Done: I now read and show times in <b>{zone}</b>.").format(zone=zone.key),
    )


async def location_shared(message: Message, person: Person, task_service: TaskService) -> None:
    assert message.location is not None  # the filter
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        await respond(
            message, _("I can't tell the time zone of that place.") + "\n" + _zone_examples()
        )
        return
    await _set_zone(message, person, task_service, zone)


# -- the card's due date ------------------------------------------------------------------------


async def ask_due(
    query: CallbackQuery,
    callback_data: TaskCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    clock: Clock,
) -> None:
    task = await task_service.get_task(person, callback_data.number)
    cal = await calendar_of(person, task_service, clock)
    await begin_card_dialogue(query, state, EditDue.text, task, callback_data)
    now = due_text(task, cal.zone, cal.today) or _("no date")
    await show(
        query,
        _(
            "When is #{number} «{title}» due? Now: {now}.\n\n"
            "Pick one, or send it in words: <code>friday 18:00</code>, "
            "<code>завтра в 9</code>, <code>25.12</code>, <code>every monday 9:00</code>."
        ).format(number=task.number, title=escape(clip(task.title, 60)), now=now),
        due_keyboard(task, callback_data.view, callback_data.page, owner=person.telegram_id),
    )


async def due_preset(
    query: CallbackQuery,
    callback_data: DueCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    number = callback_data.number
    if callback_data.preset is DuePreset.NONE:
        task = await task_service.clear_due(person, number)
    else:
        task = await task_service.set_due(person, number, _PRESETS[callback_data.preset])
    changes.saved()
    if await state.get_state() == EditDue.text.state:
        await state.clear()
    cal = await calendar_of(person, task_service, clock)
    notice = due_text(task, cal.zone, cal.today, relative=False) or _("No due date")
    await show_card(query, task, callback_data, person, cal, notice=notice)


async def due_typed(
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
        lambda number, text: task_service.set_due(person, number, text),
        lambda _task, _cal: _("📅 Saved."),
        person=person,
        task_service=task_service,
        clock=clock,
    )


_REPEATS = {
    RepeatPreset.DAILY: "day",
    RepeatPreset.WEEKDAYS: "weekdays",
    RepeatPreset.WEEKLY: "week",
    RepeatPreset.MONTHLY: "month",
    RepeatPreset.NONE: None,
}


async def repeat_preset(
    query: CallbackQuery,
    callback_data: RepeatCallback,
    person: Person,
    task_service: TaskService,
    state: FSMContext,
    changes: Changes,
    clock: Clock,
) -> None:
    task = await task_service.set_repeat(
        person, callback_data.number, _REPEATS[callback_data.preset]
    )
    changes.saved()
    if await state.get_state() == EditDue.text.state:
        await state.clear()
    cal = await calendar_of(person, task_service, clock)
    notice = due_text(task, cal.zone, cal.today, relative=False) or _("No due date")
    await show_card(query, task, callback_data, person, cal, notice=notice)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(today_command, Command("today"))
    router.message.register(upcoming_command, Command("upcoming"))
    router.message.register(tz_command, Command("tz"))
    router.message.register(location_shared, in_loop(F.location))
    router.callback_query.register(ask_due, TaskCallback.filter(F.action == TaskAction.DUE))
    router.callback_query.register(due_preset, DueCallback.filter())
    router.callback_query.register(repeat_preset, RepeatCallback.filter())
    router.message.register(due_typed, NOT_A_COMMAND, StateFilter(EditDue.text))
    return router
