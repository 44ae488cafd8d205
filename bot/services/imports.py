"""Files sent back to the bot: the JSON, CSV and ICS files /export writes, and a Todoist CSV
export, read into a list of new tasks; no database, no Telegram.

The format is recognised by content, never by the file's name: our JSON says
`"format": "todo-bot"`, our CSV and Todoist's have their own headers, a calendar starts
with BEGIN:VCALENDAR. A file as a whole is refused (a TaskError from bot.services.errors) when
it is not UTF-8, empty, of no format we know, damaged, or holds more tasks than `max_tasks`;
then nothing is imported. Otherwise each entry becomes a `NewTask` or is skipped with a
reason, which the preview shows. Texts follow the add path's rules (bot.services.text): a
title over the limit is cut at a sentence or word and the rest opens the description.

Times: our JSON carries UTC instants and the exporter's zone; our CSV was written in the
person's zone and is read in it; a date without a time is that day in the importing
person's zone, whatever zone the file came from.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.schemas import (
    FileFormat,
    ImportSummary,
    NewTask,
    SkippedEntries,
    SkipReason,
    TaskRead,
    TaskStatus,
)
from bot.services.due import parse_due
from bot.services.errors import (
    BrokenFile,
    EmptyFile,
    InvalidText,
    NotUtf8,
    TextTooLong,
    TooManyTasks,
    UnknownFormat,
)
from bot.services.exports import FORMAT_VERSION
from bot.services.text import normalize_tag, parse_task_text, read_tags

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_IMPORT_MAX_TASKS = 10_000
# The preview lists this many of the tasks to add, and this many places of skipped entries
# per reason.
PREVIEW_SIZE = 5
# A repeat rule longer than this is not one a person or a calendar app wrote.
RULE_MAX_LENGTH = 500
MAX_NAG_MINUTES = 24 * 60
# The columns that make a CSV ours (bot.services.exports.CSV_COLUMNS) or Todoist's.
OUR_CSV_COLUMNS = frozenset({"title", "status", "due"})
TODOIST_CSV_COLUMNS = frozenset({"type", "content"})

Entry = TypeVar("Entry")


DuplicateKey = tuple[str, datetime | None]


def duplicate_key(title: str, due_at: datetime | None) -> DuplicateKey:
    """Two tasks are the same when their titles match ignoring case and spacing, and they
    are due at the same moment (or neither has a due date)."""
    return " ".join(title.split()).casefold(), due_at


@dataclass(frozen=True)
class Skipped:
    position: int  # the entry's place: its row in a spreadsheet, or its index from 1
    reason: SkipReason


@dataclass(frozen=True)
class ParsedFile:
    format: FileFormat
    tasks: tuple[NewTask, ...]
    skipped: tuple[Skipped, ...] = ()
    not_tasks: int = 0  # events, sections and notes: left out, as the preview says
    undated: int = 0  # a date in words not understood (Todoist): imported without a date


def parse_file(content: bytes, *, zone: ZoneInfo, now: datetime, max_tasks: int) -> ParsedFile:
    """The file's tasks, or a TaskError for a file refused as a whole."""
    text = _decode(content)
    if not text.strip():
        raise EmptyFile()
    reader = _Reader(zone=zone, now=now)
    start = text.lstrip()[:16].upper()
    if start.startswith(("{", "[")):
        return _read_json(text, reader, max_tasks)
    if start.startswith("BEGIN:VCALENDAR"):
        return _read_ics(text, reader, max_tasks)
    return _read_csv(text, reader, max_tasks)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")  # with or without a byte order mark
    except UnicodeDecodeError as error:
        raise NotUtf8() from error


def _check_count(count: int, max_tasks: int) -> None:
    if count > max_tasks:
        raise TooManyTasks(count, max_tasks)


class _Invalid(Exception):
    def __init__(self, reason: SkipReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass
class _Reader:
    """What every format shares: the person's zone and clock, and the rules a task obeys."""

    zone: ZoneInfo
    now: datetime
    tasks: list[NewTask] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    undated: int = 0

    def take(self, position: int, read: Callable[[Entry, _Reader], NewTask], entry: Entry) -> None:
        try:
            self.tasks.append(read(entry, self))
        except _Invalid as invalid:
            self.skipped.append(Skipped(position, invalid.reason))
        except OverflowError:  # a date near the year 1 or 9999, moved to another zone
            self.skipped.append(Skipped(position, SkipReason.BAD_DATE))

    def result(self, file_format: FileFormat, not_tasks: int = 0) -> ParsedFile:
        return ParsedFile(
            format=file_format,
            tasks=tuple(self.tasks),
            skipped=tuple(self.skipped),
            not_tasks=not_tasks,
            undated=self.undated,
        )

    def local_midnight(self, day: date) -> datetime:
        """A date without a time: that day's 00:00 in the person's zone, as /add stores it."""
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def task(
        self,
        title: object,
        description: object = None,
        *,
        status: TaskStatus = TaskStatus.PENDING,
        due: tuple[datetime, bool] | None = None,
        recurrence: str | None = None,
        remind_at: datetime | None = None,
        remind_at_due: bool = True,
        priority: int | None = None,
        done_at: datetime | None = None,
        nag_minutes: int | None = None,
        tags: Iterable[object] = (),
    ) -> NewTask:
        """Check and complete a task: its text as the add path would store it, a reminder
        only while it lies ahead (at the due time, unless the file says otherwise), a
        moment for done tasks."""
        if not isinstance(title, str) or (
            description is not None and not isinstance(description, str)
        ):
            raise _Invalid(SkipReason.BAD_ENTRY)
        if not title.strip():
            raise _Invalid(SkipReason.NO_TITLE)
        text = title.strip() + ("\n" + description if description and description.strip() else "")
        try:
            parsed = parse_task_text(text)
        except TextTooLong as error:
            raise _Invalid(SkipReason.TOO_LONG) from error
        except InvalidText as error:
            raise _Invalid(SkipReason.BAD_ENTRY) from error
        # Tags in the title leave it, as when adding; the file's own tags join them.
        title_text, title_tags = read_tags(parsed.title)
        names = {*title_tags, *(name for tag in tags if (name := _tag(tag)))}
        due_at, has_time = due if due is not None else (None, False)
        if recurrence is not None:
            recurrence = self.rule(recurrence)
            if due_at is None:  # a rule needs a first day: today, as the card's repeat does
                due_at, has_time = self.local_midnight(self.now.astimezone(self.zone).date()), False
        if remind_at_due:
            remind_at = due_at if has_time else None
        done = status is TaskStatus.DONE
        if done or remind_at is None or remind_at <= self.now:
            remind_at = None
        return NewTask(
            title=title_text,
            description=parsed.description,
            status=status,
            due_at=due_at,
            due_has_time=has_time,
            recurrence=recurrence,
            remind_at=remind_at,
            priority=priority,
            done_at=(done_at or self.now) if done else None,
            nag_minutes=nag_minutes,
            tags=tuple(sorted(names)),
        )

    def rule(self, rule: str) -> str:
        """An RRULE body the bot can evaluate ("FREQ=WEEKLY;BYDAY=MO"). Rules run on the
        person's wall clock (bot.services.recurrence), so an UNTIL in UTC, as calendar
        apps write it, becomes that moment on their clock."""
        rule = rule.strip().upper()
        if not rule or len(rule) > RULE_MAX_LENGTH or not _RULE.fullmatch(rule):
            raise _Invalid(SkipReason.BAD_REPEAT)
        try:
            rule = _UNTIL_UTC.sub(lambda until: "UNTIL=" + self._wall_clock(until[1]), rule)
            rrulestr(rule, dtstart=datetime(2000, 1, 1))
        except (ValueError, TypeError) as error:
            raise _Invalid(SkipReason.BAD_REPEAT) from error
        return rule

    def _wall_clock(self, utc: str) -> str:
        moment = datetime.strptime(utc, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return moment.astimezone(self.zone).strftime("%Y%m%dT%H%M%S")


_RULE = re.compile(r"[A-Z0-9=;,+\-]+")
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z")


def _tag(value: object) -> str | None:
    """A tag from a file ("home", "#Home"); None for anything that is no tag."""
    return normalize_tag(value) if isinstance(value, str) else None


def _tag_words(text: str | None) -> list[str]:
    """ "#home #work", "home, work": a cell's tags."""
    return (text or "").replace(",", " ").split()


def _status(value: object) -> TaskStatus:
    text = value.strip().lower() if isinstance(value, str) else None
    if text is None:
        raise _Invalid(SkipReason.BAD_STATUS)
    if not text:
        return TaskStatus.PENDING
    try:
        return TaskStatus(text)
    except ValueError as error:
        raise _Invalid(SkipReason.BAD_STATUS) from error


def _priority(value: object) -> int | None:
    """1 (high) to 3 (low); None or an empty cell: none."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2, 3):
        return value
    raise _Invalid(SkipReason.BAD_PRIORITY)


def _moment(value: object, zone: ZoneInfo) -> datetime | None:
    """An ISO moment (a naive one is in `zone`), in UTC; None for an empty value."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Invalid(SkipReason.BAD_DATE)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise _Invalid(SkipReason.BAD_DATE) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


# -- our JSON --------------------------------------------------------------------------------


def _read_json(text: str, reader: _Reader, max_tasks: int) -> ParsedFile:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BrokenFile("JSON") from error
    if not isinstance(document, dict) or document.get("format") != "todo-bot":
        raise UnknownFormat()
    entries = document.get("tasks")
    if document.get("version") != FORMAT_VERSION or not isinstance(entries, list):
        raise BrokenFile("JSON")
    _check_count(len(entries), max_tasks)
    file_zone = _zone(document.get("timezone")) or reader.zone
    for position, entry in enumerate(entries, start=1):
        reader.take(position, _json_task, (entry, file_zone))
    return reader.result(FileFormat.JSON)


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _json_task(entry_in_zone: tuple[object, ZoneInfo], reader: _Reader) -> NewTask:
    # Keys we don't know (from a newer bot) are left alone.
    entry, file_zone = entry_in_zone
    if not isinstance(entry, dict):
        raise _Invalid(SkipReason.BAD_ENTRY)
    due = None
    due_at = _moment(entry.get("due_at"), file_zone)
    if due_at is not None:
        has_time = entry.get("due_has_time") is True
        if not has_time:  # the exporter's local day, which is the day wherever it is read
            due_at = reader.local_midnight(due_at.astimezone(file_zone).date())
        due = (due_at, has_time)
    recurrence = entry.get("recurrence")
    if recurrence is not None and not isinstance(recurrence, str):
        raise _Invalid(SkipReason.BAD_REPEAT)
    nag = entry.get("nag_minutes")
    if nag is not None and not (
        isinstance(nag, int) and not isinstance(nag, bool) and 0 < nag <= MAX_NAG_MINUTES
    ):
        raise _Invalid(SkipReason.BAD_ENTRY)
    return reader.task(
        entry.get("title"),
        entry.get("description"),
        status=_status(entry.get("status", "")),
        due=due,
        recurrence=recurrence or None,
        remind_at=_moment(entry.get("remind_at"), file_zone),
        remind_at_due=False,  # the file says when (or that there is no reminder)
        priority=_priority(entry.get("priority")),
        done_at=_moment(entry.get("done_at"), file_zone),
        nag_minutes=nag,
        tags=tags if isinstance(tags := entry.get("tags"), list) else (),
    )


# -- CSV: ours and Todoist's -----------------------------------------------------------------

_TODOIST_LABEL = re.compile(r"(?:^|(?<=\s))@(?=[^\W\d_])")
_TODOIST_PRIORITY = {"4": 1, "3": 2, "2": 3, "1": None, "": None}


def _read_csv(text: str, reader: _Reader, max_tasks: int) -> ParsedFile:
    first_line = text.split("\n", 1)[0]
    # A spreadsheet saving CSV in some locales separates with ";" (or a tab).
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(rows)]
    except csv.Error as error:  # no header of ours, nor a CSV at all
        raise UnknownFormat() from error
    ours = set(header) >= OUR_CSV_COLUMNS
    if not ours and not set(header) >= TODOIST_CSV_COLUMNS:
        raise UnknownFormat()
    try:
        # Numbered as a spreadsheet shows them (the header is row 1); blank rows are no entry.
        body = [(number, row) for number, row in enumerate(rows, start=2) if any(row)]
    except csv.Error as error:
        raise BrokenFile("CSV") from error
    if ours:
        _check_count(len(body), max_tasks)
        for number, row in body:
            reader.take(number, _csv_task, _by_name(header, row))
        return reader.result(FileFormat.CSV)
    tasks = [(number, row) for number, row in body if _by_name(header, row)["type"] == "task"]
    _check_count(len(tasks), max_tasks)
    for number, row in tasks:
        reader.take(number, _todoist_task, _by_name(header, row))
    # Sections, notes and the view's settings ("meta") are no tasks.
    return reader.result(FileFormat.TODOIST, not_tasks=len(body) - len(tasks))


def _by_name(header: Sequence[str], row: Sequence[str]) -> dict[str, str]:
    """A row's cells by column name; a short row's missing cells are empty."""
    cells = {name: (row[index] if index < len(row) else "") for index, name in enumerate(header)}
    cells["type"] = cells.get("type", "").strip().lower()
    return cells


def _csv_task(cells: Mapping[str, str], reader: _Reader) -> NewTask:
    return reader.task(
        cells.get("title", ""),
        cells.get("description") or None,
        status=_status(cells.get("status", "")),
        due=_csv_due(cells.get("due", ""), reader),
        recurrence=cells.get("repeat") or None,
        priority=_priority(cells.get("priority")),
        done_at=_moment(cells.get("done"), reader.zone),
        tags=_tag_words(cells.get("tags")),
    )


def _csv_due(text: str, reader: _Reader) -> tuple[datetime, bool] | None:
    """ "2026-12-25" (a date) or "2026-12-25 09:00" (a time), in the person's zone."""
    text = text.strip()
    if not text:
        return None
    try:
        return reader.local_midnight(date.fromisoformat(text)), False
    except ValueError:
        pass
    moment = _moment(text, reader.zone)
    assert moment is not None  # the text is not empty
    return moment, True


def _todoist_task(cells: Mapping[str, str], reader: _Reader) -> NewTask:
    priority = _TODOIST_PRIORITY.get(cells.get("priority", "").strip())
    due, recurrence = _todoist_due(cells, reader)
    return reader.task(
        # Todoist writes a task's labels into its text as "@label": ours are "#label".
        _TODOIST_LABEL.sub("#", cells.get("content", "")),
        cells.get("description") or None,
        due=due,
        recurrence=recurrence,
        priority=priority,
    )


def _todoist_due(
    cells: Mapping[str, str], reader: _Reader
) -> tuple[tuple[datetime, bool] | None, str | None]:
    """Todoist writes due dates as typed ("every monday", "Dec 25 9am"): read with our own
    grammar, in the task's zone when Todoist names one; a date we can't read is dropped
    (counted in `undated`), never guessed."""
    text = " ".join(cells.get("date", "").split())
    if not text:
        return None, None
    zone = _zone(cells.get("timezone")) or reader.zone
    try:
        return _csv_due(text, reader), None
    except _Invalid:
        pass
    found = parse_due(text, reader.now.astimezone(zone), zone, cells.get("date_lang") or None)
    if found.due is None or found.ambiguous or found.title.strip(" ,.;:-"):
        reader.undated += 1
        return None, None
    if found.has_time:
        return (found.due.astimezone(UTC), True), found.recurrence
    return (reader.local_midnight(found.due.date()), False), found.recurrence


# -- ICS -------------------------------------------------------------------------------------

_ICS_STATUS = {
    "NEEDS-ACTION": TaskStatus.PENDING,
    "IN-PROCESS": TaskStatus.IN_PROGRESS,
    "COMPLETED": TaskStatus.DONE,
    "CANCELLED": TaskStatus.DONE,  # closed either way: nothing left to do
}
_TODO = re.compile(r"^BEGIN:VTODO[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
# Events and journal entries, taken out as text before the calendar is parsed: icalendar
# reads some 5 000 components a second, and a calendar may hold many thousands of events.
_NOT_TODO = re.compile(
    r"^BEGIN:(VEVENT|VJOURNAL)[ \t\r]*$.*?^END:\1[ \t\r]*$\n?",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_UNFINISHED = re.compile(r"^BEGIN:(VEVENT|VJOURNAL)", re.IGNORECASE | re.MULTILINE)


def _ics_priority(value: int) -> int | None:
    """RFC 5545: 1-4 high, 5 medium, 6-9 low, 0 undefined."""
    if 1 <= value <= 4:
        return 1
    if value == 5:
        return 2
    if 6 <= value <= 9:
        return 3
    return None


def _read_ics(text: str, reader: _Reader, max_tasks: int) -> ParsedFile:
    count = len(_TODO.findall(text))
    _check_count(count, max_tasks)  # before the slow part
    text, not_tasks = _NOT_TODO.subn("", text)
    if _UNFINISHED.search(text):  # an event that never ended
        raise BrokenFile("ICS")
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise BrokenFile("ICS") from error
    todos = [todo for calendar in calendars for todo in calendar.walk("VTODO")]
    if len(todos) != count:  # a to-do that never ended, or one swallowed by a broken event
        raise BrokenFile("ICS")
    for position, todo in enumerate(todos, start=1):
        reader.take(position, _ics_task, todo)
    return reader.result(FileFormat.ICS, not_tasks=not_tasks)


def _ics_task(todo: Any, reader: _Reader) -> NewTask:
    due = None
    if "due" in todo:
        value = todo.decoded("due")
        if isinstance(value, datetime):
            if value.tzinfo is None:  # "floating": the person's own clock
                value = value.replace(tzinfo=reader.zone)
            due = (value.astimezone(UTC), True)
        elif isinstance(value, date):
            due = (reader.local_midnight(value), False)
        else:
            raise _Invalid(SkipReason.BAD_DATE)
    rule = todo.get("rrule")
    if isinstance(rule, list):  # several rules: ours can hold one
        raise _Invalid(SkipReason.BAD_REPEAT)
    status = _ICS_STATUS.get(str(todo.get("status", "NEEDS-ACTION")).upper())
    if status is None:
        raise _Invalid(SkipReason.BAD_STATUS)
    completed = todo.decoded("completed") if "completed" in todo else None
    if completed is not None and not isinstance(completed, datetime):
        raise _Invalid(SkipReason.BAD_DATE)
    if completed is not None and completed.tzinfo is None:
        completed = completed.replace(tzinfo=reader.zone)
    return reader.task(
        str(todo.get("summary", "")),
        str(todo["description"]) if "description" in todo else None,
        status=status,
        due=due,
        recurrence=rule.to_ical().decode() if rule is not None else None,
        priority=_ics_priority(int(todo.get("priority", 0))),
        done_at=completed.astimezone(UTC) if completed is not None else None,
        tags=_ics_categories(todo),
    )


def _ics_categories(todo: Any) -> list[str]:
    """CATEGORIES, in one property or several."""
    found = todo.get("categories")
    properties = found if isinstance(found, list) else [found] if found is not None else []
    return [str(name) for prop in properties for name in getattr(prop, "cats", [])]


# -- against the person's tasks --------------------------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    """What importing a parsed file into the person's list would do."""

    new: tuple[NewTask, ...]
    already_there: int  # the person has a task with that title and due date
    repeated: int  # the same task again further down the file


def plan_import(tasks: Iterable[NewTask], existing: set[DuplicateKey]) -> ImportPlan:
    seen = set(existing)
    new: list[NewTask] = []
    already_there = repeated = 0
    for task in tasks:
        key = duplicate_key(task.title, task.due_at)
        if key in existing:
            already_there += 1
        elif key in seen:
            repeated += 1
        else:
            seen.add(key)
            new.append(task)
    return ImportPlan(tuple(new), already_there, repeated)


def summary_of(parsed: ParsedFile, plan: ImportPlan) -> ImportSummary:
    reasons: dict[SkipReason, list[int]] = {}
    for skipped in parsed.skipped:
        reasons.setdefault(skipped.reason, []).append(skipped.position)
    return ImportSummary(
        file_format=parsed.format,
        already_there=plan.already_there,
        repeated=plan.repeated,
        skipped=tuple(
            SkippedEntries(
                reason=reason, count=len(positions), positions=tuple(positions[:PREVIEW_SIZE])
            )
            for reason, positions in reasons.items()
        ),
        not_tasks=parsed.not_tasks,
        undated=parsed.undated,
    )


def preview_tasks(
    tasks: Sequence[NewTask], first_number: int, now: datetime
) -> tuple[TaskRead, ...]:
    """The first few new tasks as they will read, numbered from `first_number`."""
    return tuple(
        TaskRead(
            number=first_number + index,
            created_at=now,
            updated_at=now,
            **task.model_dump(),
        )
        for index, task in enumerate(tasks[:PREVIEW_SIZE])
    )
