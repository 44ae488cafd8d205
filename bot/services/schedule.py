"""Moments that repeat in the person's wall time: the daily digest, and quiet hours.

Times of day are minutes after local midnight; a quiet window may wrap past midnight
(23:00-08:00). Local times are resolved with zoneinfo, so 09:00 stays 09:00 when the
clocks change (a time skipped by the change lands just after it).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _at(day: datetime, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day.date(), time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(UTC)


def next_daily(minute: int, zone: ZoneInfo, after: datetime) -> datetime:
    """The first `minute` of a local day that is later than `after`, in UTC."""
    local_now = after.astimezone(zone)
    today = _at(local_now, minute, zone)
    if today > after:
        return today
    return _at(local_now + timedelta(days=1), minute, zone)


def quiet_until(
    moment: datetime, zone: ZoneInfo, start: int | None, end: int | None
) -> datetime | None:
    """When the quiet hours around `moment` end, in UTC; None when it is not in them."""
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    return next_daily(end, zone, moment)


def parse_time_of_day(text: str) -> int | None:
    """ "9", "09:00", "9.30", "21:15" -> minutes after midnight; None if it is not a time."""
    cleaned = text.strip().replace(".", ":")
    hours, _colon, minutes = cleaned.partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()) or len(minutes) not in (0, 2):
        return None
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute
