"""Due dates in task text, Russian and English: `parse_due`.

`parse_due(title_line, now, tz)` finds a date phrase in ONE line (the task's title line; the caller
splits a multi-line message and passes only the first line), takes it out of the title and returns
the local due moment and an RFC 5545 recurrence rule. It is a pure function: the clock is the `now`
argument, nothing is read or kept between calls.

The grammar is hand-written (see docs/due-parsing.md for the libraries measured against it).
Readings the bot commits to, so the answer it shows is predictable:

- Day parts: morning / утром 09:00, afternoon / днём 13:00, evening / вечером / tonight 19:00,
  night / ночью 23:00. "tonight" and "this evening" also name today.
- A time alone ("at 9", "в 21:00", "вечером") that has already passed today means tomorrow. Once a
  day is named ("today at 9", "в среду в 9" on a Wednesday) the time is kept even when it has
  passed: the bot shows it and the person corrects it.
- A bare hour after "at"/"в" is read on the 24-hour clock (`at 9` is 09:00) and only where it cannot
  be a count: at the end of the line, before punctuation, or next to another date word
  ("в 2 стакана" stays in the title). `в 7 вечера`, `at 7pm`, `в 9 часов` are always times.
- A weekday ("friday", "в пятницу", "this friday") is the nearest such day, today included;
  "next friday" / "в следующую пятницу" is that day in next week (weeks start on Monday).
  "next week" / "на следующей неделе" is next Monday; "this weekend" / "на выходных" is the coming
  Saturday (today on a weekend). "by friday" / "до пятницы" / "к пятнице" is that date, no time.
  "on the 15th" / "25 числа" is the next such day of a month, today included.
- A date without a year ("25.12", "31 декабря", "Dec 31") is the next such date that is not in the
  past (today counts); "29.02" is therefore the next leap day. Numeric dates are day-first
  (`25.12`); the month needs two digits so "1.5 kg" stays a number, and a number after "version",
  "python" and the like is a version. Slash dates ("12/25") are not read: "3/4 cup" is a fraction.
- A date that does not exist ("31.02", "30 февраля", "29.02.2027") returns `due=None`,
  `ambiguous=True` and the line as typed, never a neighbouring date: the bot must ask.
- A line with no date phrase comes back exactly as typed in `title`.
- "in 2 hours" / "через 2 часа" is elapsed time (exact across a daylight-saving change); "in 3
  days", "через неделю", "in a month" is a date without a time.
- Recurrence: the rule is evaluated later in local wall time from `due`; `due` is its first
  occurrence not in the past (a date-only rule may start today). "daily/weekly/monthly" in English
  count only at the end of the line or before "at", so "a daily standup" stays a title.
- A local time that falls in a daylight-saving gap ("2:30" on the night clocks spring forward) is
  read as the wall time before the change and lands an hour later (03:30), as PEP 495 prescribes.

Not understood (left in the title, no date): times like "half past ten", "18.00", ranges ("from 9
to 5"), "end of month", ordinal weekdays ("first monday"), holidays, time zone names in the text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services import due_phrases as ph

__all__ = ["DueParse", "parse_due"]

# How far ahead a recurrence's first occurrence is searched: a yearly rule needs a year and a day.
_SEARCH_DAYS = 800
# How many years ahead a date without a year may land ("29.02" waits for a leap year).
_YEARS_AHEAD = 8

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_EDGE_PUNCT = " ,;:-–—"
_LAST_WORD = re.compile(r"(\w+)\W*$")


@dataclass(frozen=True, slots=True)
class DueParse:
    """What `parse_due` understood in a title line."""

    title: str  # the text with the date phrase taken out, whitespace tidied
    due: datetime | None  # aware, in the person's zone; None when no date was found
    has_time: bool  # False for a date without a time ("tomorrow", "25.12")
    recurrence: str | None  # RFC 5545 RRULE body ("FREQ=WEEKLY;BYDAY=MO") or None
    ambiguous: bool = False  # the reading is doubtful (a date that does not exist): ask


class _InvalidDateError(Exception):
    """A typed date that does not exist; parse_due turns it into `ambiguous=True`."""


@dataclass(frozen=True, slots=True)
class _Rule:
    freq: str
    interval: int = 1
    byday: tuple[int, ...] = ()
    bymonth: int | None = None
    bymonthday: int | None = None

    def rrule(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(ph.RRULE_DAYS[d] for d in sorted(set(self.byday))))
        if self.bymonth is not None:
            parts.append(f"BYMONTH={self.bymonth}")
        if self.bymonthday is not None:
            parts.append(f"BYMONTHDAY={self.bymonthday}")
        return ";".join(parts)

    def matches(self, day: date) -> bool:
        return (
            (not self.byday or day.weekday() in self.byday)
            and (self.bymonth is None or day.month == self.bymonth)
            and (self.bymonthday is None or day.day == self.bymonthday)
        )


class _Scan:
    """The line being read: consumed phrases are blanked out so later patterns skip them."""

    __slots__ = ("masked", "spans", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = text
        self.spans: list[tuple[int, int]] = []

    def take(self, match: re.Match[str]) -> None:
        start, end = match.span()
        self.masked = self.masked[:start] + " " * (end - start) + self.masked[end:]
        self.spans.append((start, end))

    def first(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.masked)

    def consumed(self, index: int) -> bool:
        return any(start <= index < end for start, end in self.spans)

    def free_standing(self, match: re.Match[str]) -> bool:
        """True when nothing but punctuation follows, or a taken phrase is right next to it."""
        start, end = match.span()
        rest = self.text[end:].strip(" \t,.;!?")
        if not rest:
            return True
        after = end
        while after < len(self.text) and self.text[after] in " \t,":
            after += 1
        before = start - 1
        while before >= 0 and self.text[before] in " \t,":
            before -= 1
        return self.consumed(after) or (before >= 0 and self.consumed(before))

    def title(self) -> str:
        kept = "".join(" " if self.consumed(i) else ch for i, ch in enumerate(self.text))
        return _tidy(kept)


def _tidy(text: str) -> str:
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    return text.strip(_EDGE_PUNCT)


def _number(word: str | None) -> int:
    if word is None:
        return 1
    if word.isdigit():
        return int(word)
    return ph.NUMBER_WORDS[word.lower()]


def _add_months(day: date, months: int) -> date:
    # Relative arithmetic, not a typed date: "in a month" from Jan 31 is the last day of February.
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _next_date(today: date, month: int, day: int) -> date:
    """The next `day.month` not in the past; raises when the day never exists in that month."""
    for year in range(today.year, today.year + _YEARS_AHEAD + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _InvalidDateError


def _next_monthday(today: date, day: int) -> date:
    """The next month's `day` not in the past, skipping months too short for it."""
    first = today.replace(day=1)
    for months in range(_YEARS_AHEAD * 12):
        month_start = _add_months(first, months)
        if day > calendar.monthrange(month_start.year, month_start.month)[1]:
            continue
        candidate = month_start.replace(day=day)
        if candidate >= today:
            return candidate
    raise _InvalidDateError


def _exact_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _InvalidDateError from None


def _check_month_day(month: int, day: int) -> None:
    # A yearly rule on 29.02 is fine (RFC 5545 skips the other years); 30.02 never happens.
    if day > calendar.monthrange(2028, month)[1]:
        raise _InvalidDateError


def _local(day: date, clock: tuple[int, int] | None, tz: ZoneInfo) -> datetime:
    hour, minute = clock or (0, 0)
    wall = datetime.combine(day, time(hour, minute), tzinfo=tz)
    # Through UTC and back: a wall time inside a DST gap comes out as the real clock reading.
    return wall.astimezone(UTC).astimezone(tz)


# --- recurrence -------------------------------------------------------------------------------


def _weekday_numbers(words: str) -> tuple[int, ...]:
    found = re.findall(r"\w+", words.lower())
    return tuple(ph.ALL_WEEKDAYS[w] for w in found if w in ph.ALL_WEEKDAYS)


def _take_recurrence(scan: _Scan) -> tuple[_Rule | None, tuple[int, int] | None]:
    """The rule and, for "every morning", the time it implies."""
    if m := scan.first(ph.RE_EVERY_YEAR_DATE):
        month_word = m["m1"] or m["m2"] or m["m3"]
        day = int(m["d1"] or m["d2"] or m["d3"])
        month = ph.ALL_MONTHS[month_word.lower()]
        _check_month_day(month, day)
        scan.take(m)
        return _Rule("YEARLY", bymonth=month, bymonthday=day), None
    if m := scan.first(ph.RE_EVERY_MONTHDAY):
        day = int(m["en"] or m["ru"] or m["ru2"])
        if not 1 <= day <= 31:
            raise _InvalidDateError
        scan.take(m)
        return _Rule("MONTHLY", bymonthday=day), None
    if m := scan.first(ph.RE_EVERY_WORKDAY):
        scan.take(m)
        return _Rule("WEEKLY", byday=(0, 1, 2, 3, 4)), None
    if m := scan.first(ph.RE_EVERY_WEEKEND):
        scan.take(m)
        return _Rule("WEEKLY", byday=(5, 6)), None
    if m := scan.first(ph.RE_EVERY_PART):
        scan.take(m)
        return _Rule("DAILY"), ph.DAY_PARTS[(m["en"] or m["ru"]).lower()]
    if m := scan.first(ph.RE_EVERY_WEEKDAY):
        scan.take(m)
        return _Rule("WEEKLY", byday=_weekday_numbers(m["days"] or m["pdays"])), None
    if m := scan.first(ph.RE_EVERY_UNIT):
        interval = 2 if m["other"] else _number(m["n"])
        unit = ph.UNITS[m["unit"].lower()]
        scan.take(m)
        return _Rule(ph.FREQ_OF_UNIT[unit], interval=max(interval, 1)), None
    if m := scan.first(ph.RE_EVERY_ADVERB):
        scan.take(m)
        return _Rule(ph.ADVERB_FREQ[(m["en"] or m["ru"]).lower()]), None
    return None, None


# --- relative offsets ---------------------------------------------------------------------------


def _take_offset(scan: _Scan, now: datetime, today: date) -> datetime | date | None:
    """An exact instant for minutes and hours, a local date for days and longer."""
    m = scan.first(ph.RE_IN_OFFSET)
    if m is None:
        return None
    scan.take(m)
    # Aware arithmetic in one zone is wall-clock arithmetic; elapsed time must be added in UTC.
    now = now.astimezone(UTC)
    if m["unit"] is None:  # "через полчаса", "in half an hour"
        return now + timedelta(minutes=30)
    count = _number(m["n"])
    unit = ph.UNITS[m["unit"].lower()]
    if unit == ph.UNIT_MINUTE:
        return now + timedelta(minutes=count)
    if unit == ph.UNIT_HOUR:
        return now + timedelta(hours=count)
    if unit == ph.UNIT_DAY:
        return today + timedelta(days=count)
    if unit == ph.UNIT_WEEK:
        return today + timedelta(weeks=count)
    if unit == ph.UNIT_MONTH:
        return _add_months(today, count)
    return _add_months(today, 12 * count)


# --- days ---------------------------------------------------------------------------------------


def _is_version(scan: _Scan, start: int) -> bool:
    word = _LAST_WORD.search(scan.masked[:start])
    return word is not None and word[1].lower() in ph.VERSION_WORDS


def _take_day(scan: _Scan, today: date) -> date | None:
    if m := scan.first(ph.RE_ISO_DATE):
        found = _exact_date(int(m[1]), int(m[2]), int(m[3]))
        scan.take(m)
        return found
    for m in ph.RE_NUMERIC_DATE.finditer(scan.masked):
        if _is_version(scan, m.start(1)):
            continue
        day, month = int(m[1]), int(m[2])
        if m[3] is None:
            found = _next_date(today, month, day)
        else:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            found = _exact_date(year, month, day)
        scan.take(m)
        return found
    if m := scan.first(ph.RE_MONTH_DATE):
        month = ph.ALL_MONTHS[(m["m1"] or m["m2"]).lower()]
        day = int(m["d1"] or m["d2"])
        found = (
            _next_date(today, month, day)
            if m["y"] is None
            else _exact_date(int(m["y"]), month, day)
        )
        scan.take(m)
        return found
    if m := scan.first(ph.RE_DAY_WORD):
        word = m[0].lower()
        offset = 2 if "after" in word else ph.DAY_WORD_OFFSET[word]
        scan.take(m)
        return today + timedelta(days=offset)
    if m := scan.first(ph.RE_WEEKDAY):
        weekday = ph.ALL_WEEKDAYS[(m["en"] or m["ru"]).lower()]
        modifier = (m["en_mod"] or m["ru_mod"] or "").lower()
        scan.take(m)
        if modifier.startswith(("next", "следующ")):
            next_monday = today + timedelta(days=7 - today.weekday())
            return next_monday + timedelta(days=weekday)
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    if m := scan.first(ph.RE_MONTHDAY):
        scan.take(m)
        return _next_monthday(today, int(m["en"] or m["ru"]))
    if m := scan.first(ph.RE_NEXT_WEEK):
        scan.take(m)
        return today + timedelta(days=7 - today.weekday())
    if m := scan.first(ph.RE_WEEKEND):
        scan.take(m)
        return today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
    return None


# --- times --------------------------------------------------------------------------------------


def _hour_with_part(hour: int, part: str) -> int:
    part = part.lower()
    if part == "утра":
        return hour
    if part == "вечера":
        return hour + 12 if hour < 12 else hour
    if part == "дня":
        return hour + 12 if hour < 11 else hour
    # ночи: "в 12 ночи" is midnight, "в 2 ночи" 02:00, "в 11 ночи" 23:00.
    if hour == 12:
        return 0
    return hour if hour < 6 else hour + 12


def _time_of(m: re.Match[str]) -> tuple[int, int] | None:
    hour = int(m["h"])
    minute = int(m["m"]) if m["m"] else 0
    ampm = m["ampm"] or m["ampm2"]
    part = m["part"] or m["part2"]
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    elif part:
        if m["pre"] is None or hour > 12:
            return None
        hour = _hour_with_part(hour, part)
    elif m["m"] is None and m["pre"] is None:
        return None  # "9 часов" without "в" is a duration, not a time
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _take_time(scan: _Scan) -> tuple[tuple[int, int] | None, tuple[int, int] | None, bool]:
    """The clock time, the day part's time, and whether the day part named today."""
    clock: tuple[int, int] | None = None
    for found in ph.RE_TIME.finditer(scan.masked):
        clock = _time_of(found)
        if clock is not None:
            scan.take(found)
            break
    if clock is None and (m := scan.first(ph.RE_NOON)):
        clock = (12, 0) if m["w"].lower() in ("noon", "полдень") else (0, 0)
        scan.take(m)
    if clock is None:
        for found in ph.RE_BARE_HOUR.finditer(scan.masked):
            hour = int(found["h"])
            if hour <= 23 and scan.free_standing(found):
                clock = (hour, 0)
                scan.take(found)
                break
    part: tuple[int, int] | None = None
    names_today = False
    if m := scan.first(ph.RE_DAY_PART):
        word = (m["w"] or m["ru"]).lower()
        part = ph.DAY_PARTS[word]
        names_today = word == "tonight" or (m["this"] or "").lower() == "this"
        scan.take(m)
    return clock, part, names_today


def _combine(clock: tuple[int, int] | None, part: tuple[int, int] | None) -> tuple[int, int] | None:
    if clock is None:
        return part
    if part is not None and part >= ph.AFTERNOON and clock[0] < 12:
        return clock[0] + 12, clock[1]  # "tomorrow evening at 8" is 20:00
    return clock


def _first_occurrence(
    rule: _Rule, start: date, clock: tuple[int, int] | None, local_now: datetime
) -> datetime:
    tz = local_now.tzinfo
    assert isinstance(tz, ZoneInfo)
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if not rule.matches(day):
            continue
        candidate = _local(day, clock, tz)
        if clock is None or candidate >= local_now:
            return candidate
    raise _InvalidDateError  # a rule that never matches, e.g. "every 31st" of February only


def parse_due(text: str, now: datetime, tz: ZoneInfo, language: str | None = None) -> DueParse:
    """Read a due date out of ONE title line, relative to the aware `now`, in the zone `tz`.

    `language` ("ru", "en" or None) is accepted for the caller's convenience, but both grammars are
    always tried: people type English phrases in a Russian interface and the other way round.
    """
    del language  # both grammars always apply; see the docstring
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local_now = now.astimezone(tz)
    today = local_now.date()
    scan = _Scan(text)
    try:
        rule, rule_clock = _take_recurrence(scan)
        offset = _take_offset(scan, now, today)
        # datetime is a subclass of date: test for the instant first.
        instant = offset if isinstance(offset, datetime) else None
        day = offset if instant is None else None
        if offset is None:
            day = _take_day(scan, today)
        clock, part, names_today = _take_time(scan)
        clock = _combine(clock, part) or rule_clock
        if day is None and names_today:
            day = today
        if instant is not None:
            due: datetime | None = instant.astimezone(tz)
            has_time = True
        elif rule is not None:
            if day is not None and rule.freq == "WEEKLY" and not rule.byday:
                # "every 2 weeks on monday": the named day pins the weekday of the series.
                rule = _Rule("WEEKLY", interval=rule.interval, byday=(day.weekday(),))
            due = _first_occurrence(rule, day or today, clock, local_now)
            has_time = clock is not None
        elif day is not None:
            due = _local(day, clock, tz)
            has_time = clock is not None
        elif clock is not None:
            due = _local(today, clock, tz)
            if due < local_now:  # no day named: a time already gone means tomorrow
                due = _local(today + timedelta(days=1), clock, tz)
            has_time = True
        else:
            due = None
            has_time = False
    except _InvalidDateError:
        return DueParse(title=text, due=None, has_time=False, recurrence=None, ambiguous=True)
    if due is None and rule is None:
        return DueParse(title=text, due=None, has_time=False, recurrence=None)  # untouched
    return DueParse(
        title=scan.title(),
        due=due,
        has_time=has_time,
        recurrence=rule.rrule() if rule is not None else None,
    )
