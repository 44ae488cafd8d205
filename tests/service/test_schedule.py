"""Daily moments and quiet hours in the person's wall time, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.schedule import next_daily, parse_time_of_day, quiet_until

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_digest_stays_at_nine_across_the_spring_change() -> None:
    saturday = datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, winter time
    sunday = next_daily(9 * 60, BERLIN, saturday)
    assert sunday == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 09:00, summer time
    assert next_daily(9 * 60, BERLIN, datetime(2027, 3, 27, 7, 59, tzinfo=UTC)) == datetime(
        2027, 3, 27, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("local", "start", "end", "until"),
    [
        ((23, 30), 22 * 60, 8 * 60, (3, 8, 0)),  # inside a window over midnight
        ((2, 0), 22 * 60, 8 * 60, (3, 8, 0)),
        ((8, 0), 22 * 60, 8 * 60, None),  # its end is not inside
        ((12, 0), 22 * 60, 8 * 60, None),
        ((13, 0), 12 * 60, 14 * 60, (2, 14, 0)),  # a window within the day
        ((13, 0), None, None, None),
    ],
)
def test_quiet_hours(
    local: tuple[int, int],
    start: int | None,
    end: int | None,
    until: tuple[int, int, int] | None,
) -> None:
    day = 3 if local[0] < 12 and start == 22 * 60 else 2
    moment = datetime(2026, 12, day, *local, tzinfo=BERLIN)
    expected = None
    if until is not None:
        expected = datetime(2026, 12, until[0], until[1], until[2], tzinfo=BERLIN)
    assert quiet_until(moment, BERLIN, start, end) == expected


@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("9", 540),
        ("09:00", 540),
        ("8.30", 510),
        ("23:59", 1439),
        ("24:00", None),
        ("9:5", None),
        ("x", None),
    ],
)
def test_times_of_day(text: str, minute: int | None) -> None:
    assert parse_time_of_day(text) == minute
