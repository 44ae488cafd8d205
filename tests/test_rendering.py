"""Dates as a person reads them: their zone, their language, relative words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.chat.dates import due_text, recurrence_text
from bot.chat.i18n import create_i18n
from bot.chat.rendering import format_moment
from bot.schemas import TaskRead, TaskStatus

I18N = create_i18n()
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wed 2 Dec, 14:30 in Moscow


def task(due: datetime | None, *, has_time: bool = True, rule: str | None = None) -> TaskRead:
    return TaskRead(
        number=3,
        title="Call mom",
        description=None,
        status=TaskStatus.PENDING,
        created_at=NOW,
        updated_at=NOW,
        done_at=None,
        due_at=due,
        due_has_time=has_time,
        recurrence=rule,
    )


def test_moments_show_in_the_persons_zone() -> None:
    moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    with I18N.context(), I18N.use_locale("ru"):
        assert format_moment(moment) == "31 мая 2026, 23:30 UTC"
        assert format_moment(moment, MOSCOW) == "1 июн. 2026, 02:30"
    with I18N.context(), I18N.use_locale("en"):
        assert format_moment(moment) == "31 May 2026, 23:30 UTC"


@pytest.mark.parametrize(
    ("due", "has_time", "english", "russian"),
    [
        (
            datetime(2026, 12, 3, 6, 0, tzinfo=UTC),
            True,
            "📅 Thu 3 Dec, 09:00 · tomorrow",
            "📅 чт 3 дек., 09:00 · завтра",
        ),
        (
            datetime(2026, 12, 1, 21, 0, tzinfo=UTC),
            False,
            "📅 Wed 2 Dec · today",
            "📅 ср 2 дек. · сегодня",
        ),
        (
            datetime(2026, 11, 28, 21, 0, tzinfo=UTC),
            False,
            "📅 Sun 29 Nov · overdue by 3 days",
            "📅 вс 29 нояб. · просрочено на 3 дня",
        ),
        (
            datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
            True,
            "📅 Thu 10 Dec, 18:00",
            "📅 чт 10 дек., 18:00",
        ),
    ],
)
def test_due_dates_read_in_the_persons_zone_and_words(
    due: datetime, has_time: bool, english: str, russian: str
) -> None:
    today = NOW.astimezone(MOSCOW).date()
    for locale, expected in (("en", english), ("ru", russian)):
        with I18N.context(), I18N.use_locale(locale):
            assert due_text(task(due, has_time=has_time), MOSCOW, today) == expected


def test_recurrence_in_words() -> None:
    with I18N.context(), I18N.use_locale("en"):
        assert recurrence_text("FREQ=WEEKLY;BYDAY=MO") == "every Monday"
        assert recurrence_text("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR") == "on weekdays"
        assert recurrence_text("FREQ=WEEKLY;INTERVAL=2") == "every 2 weeks"
        assert recurrence_text("FREQ=MONTHLY;BYMONTHDAY=1") == "monthly, day 1"
        assert recurrence_text("FREQ=HOURLY") == "repeats"
    with I18N.context(), I18N.use_locale("ru"):
        assert recurrence_text("FREQ=DAILY") == "каждый день"
        assert recurrence_text("FREQ=WEEKLY;BYDAY=FR") == "каждую пятницу"
        assert recurrence_text("FREQ=WEEKLY;BYDAY=MO") == "каждый понедельник"
        assert recurrence_text("FREQ=MONTHLY") == "каждый месяц"
        due = task(datetime(2026, 12, 7, 6, 0, tzinfo=UTC), rule="FREQ=DAILY")
        assert due_text(due, MOSCOW, date(2026, 12, 2)).endswith("· 🔁 каждый день")
