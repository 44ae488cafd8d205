"""Dates as a person reads them: in their zone and language, relative where that helps.

`📅 Tue 3 Dec, 09:00 · tomorrow`, `📅 Fri 29 Nov · overdue by 3 days`; a date without a time
shows no time. Recurrence rules read as words ("every Monday"), the common ones at least.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.chat.i18n import N_, _n
from bot.schemas import Person, TaskRead, TaskStatus
from bot.services import TaskService

# Whole phrases: Russian declines "every" with the day ("каждый понедельник", "каждую среду").
_EVERY_WEEKDAY = {
    "MO": N_("every Monday"),
    "TU": N_("every Tuesday"),
    "WE": N_("every Wednesday"),
    "TH": N_("every Thursday"),
    "FR": N_("every Friday"),
    "SA": N_("every Saturday"),
    "SU": N_("every Sunday"),
}


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Calendar:
    """The person's here and now, for rendering: their zone and their local date."""

    zone: ZoneInfo
    today: date
    zone_chosen: bool = True

    @classmethod
    def utc(cls, now: datetime) -> Calendar:
        return cls(ZoneInfo("UTC"), now.astimezone(UTC).date())


async def calendar_of(person: Person, task_service: TaskService, clock: Clock) -> Calendar:
    """The person's calendar; their zone is cached by the service (no round trip)."""
    zone = await task_service.zone_of(person)
    tz = ZoneInfo(zone.name)
    return Calendar(tz, clock().astimezone(tz).date(), zone.chosen)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def day_name(day: date) -> str:
    """Like "Tue 3 Dec", in the person's language."""
    return _day_name(day, get_i18n().current_locale)


@functools.lru_cache(maxsize=1024)
def _day_name(day: date, locale: str) -> str:
    # Babel parses the pattern and loads the locale on each call; a list shows a few days.
    return format_date(day, "EEE d MMM", locale=locale)


def relative_day(day: date, today: date) -> str | None:
    days = (day - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days < 0:
        return _n("overdue by {count} day", "overdue by {count} days", -days).format(count=-days)
    return None


def due_text(task: TaskRead, zone: ZoneInfo, today: date, *, relative: bool = True) -> str:
    """`📅 Tue 3 Dec, 09:00 · tomorrow`; empty for a task with no due date."""
    if task.due_at is None:
        return ""
    local = task.due_at.astimezone(zone)
    text = f"📅 {day_name(local.date())}"
    if task.due_has_time:
        text += f", {local:%H:%M}"
    # "overdue" says nothing about a task that is done.
    when = relative_day(local.date(), today) if task.status is not TaskStatus.DONE else None
    if relative and when:
        text += f" · {when}"
    if task.recurrence:
        text += f" · 🔁 {recurrence_text(task.recurrence)}"
    return text


def recurrence_text(rule: str) -> str:
    """RRULE in words, for the rules the parser writes; anything else is "repeats"."""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    frequency, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1"))
    days = parts.get("BYDAY", "")
    if frequency == "DAILY" and interval == 1:
        return _("every day")
    if frequency == "WEEKLY" and days == "MO,TU,WE,TH,FR":
        return _("on weekdays")
    if frequency == "WEEKLY" and days in _EVERY_WEEKDAY and interval == 1:
        return _(_EVERY_WEEKDAY[days])
    if frequency == "WEEKLY" and interval == 1:
        return _("every week")
    if frequency == "WEEKLY":
        return _n("every {count} week", "every {count} weeks", interval).format(count=interval)
    if frequency == "MONTHLY" and "BYMONTHDAY" in parts:
        return _("monthly, day {day}").format(day=parts["BYMONTHDAY"])
    if frequency == "MONTHLY" and interval == 1:
        return _("every month")
    if frequency == "MONTHLY":
        return _n("every {count} month", "every {count} months", interval).format(count=interval)
    if frequency == "YEARLY":
        return _("every year")
    if frequency == "DAILY":
        return _n("every {count} day", "every {count} days", interval).format(count=interval)
    return _("repeats")


def zone_hint(zone_name: str) -> str:
    """Said with a date while the person never chose a zone."""
    return _(
        "🕐 I read times in {zone}. To use yours: /tz Moscow, /tz +3 or share a location."
    ).format(zone=zone_name)
