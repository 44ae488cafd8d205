"""The next occurrence of a recurring task, in the person's wall time (RFC 5545 RRULE, via
dateutil's rrule): "every monday 9:00" stays 09:00 across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


def next_occurrence(
    rule: str, due_at: datetime, zone: ZoneInfo, after: datetime
) -> datetime | None:
    """The first occurrence of `rule`, counted from `due_at`, that is later than `after`;
    in UTC. None when the rule has ended."""
    start = due_at.astimezone(zone).replace(tzinfo=None)  # wall time: the rule's own clock
    moment = after.astimezone(zone).replace(tzinfo=None)
    found: datetime | None = rrulestr(rule, dtstart=start).after(moment)
    if found is None:
        return None
    return found.replace(tzinfo=zone).astimezone(UTC)
