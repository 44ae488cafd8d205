"""Reading files to import (bot.services.imports): our three export files read back, Todoist's
CSV, calendar files, entries skipped with a reason, and files refused as a whole. Pure
functions: no database here (tests/service/test_imports.py has the use cases)."""

from __future__ import annotations

import codecs
import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schemas import FileFormat, NewTask, SkipReason, TaskRead, TaskStatus
from bot.services import BrokenFile, EmptyFile, NotUtf8, TooManyTasks, UnknownFormat
from bot.services.errors import ImportRefused
from bot.services.exports import to_csv, to_ics, to_json
from bot.services.imports import ParsedFile, Skipped, duplicate_key, parse_file, plan_import

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wednesday, 14:30 in Moscow
MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
LIMIT = 10_000
CSV_HEADER = "number,title,description,status,due,repeat,priority,created,done\n"

# 100 000 rows, built once for the module: refused before a single row is read.
HUGE_CSV = (CSV_HEADER + "".join(f"{n},Task {n},,pending,,,,,\n" for n in range(100_000))).encode()


def read(content: bytes | str, zone: ZoneInfo = MOSCOW, max_tasks: int = LIMIT) -> ParsedFile:
    data = content.encode() if isinstance(content, str) else content
    return parse_file(data, zone=zone, now=NOW, max_tasks=max_tasks)


def exported() -> list[TaskRead]:
    """Tasks with everything a task can have, as /export sees them."""
    created = NOW - timedelta(days=3)

    def task(number: int, title: str, **fields: object) -> TaskRead:
        values: dict[str, object] = {
            "number": number,
            "title": title,
            "description": None,
            "status": TaskStatus.PENDING,
            "created_at": created,
            "updated_at": created,
            "done_at": None,
        }
        values.update(fields)
        return TaskRead.model_validate(values)

    tomorrow_9 = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    return [
        task(
            1,
            "Call mom",
            description="about the weekend\nand the train",
            due_at=tomorrow_9,
            due_has_time=True,
            remind_at=tomorrow_9 - timedelta(minutes=10),
            priority=1,
            nag_minutes=15,
        ),
        task(
            2,
            "Pay rent",
            due_at=datetime(2026, 12, 24, 21, 0, tzinfo=UTC),  # 25 Dec in Moscow, no time
            recurrence="FREQ=MONTHLY;BYMONTHDAY=25",
            priority=3,
        ),
        task(3, "Read «Война и мир» & <notes>", status=TaskStatus.IN_PROGRESS, priority=2),
        task(4, "Old call", due_at=NOW - timedelta(days=1), due_has_time=True),
        task(5, "Bread", status=TaskStatus.DONE, done_at=NOW - timedelta(hours=5)),
    ]


def same(task: TaskRead, new: NewTask, *, exact_reminder: bool = True) -> None:
    assert (new.title, new.description, new.status) == (task.title, task.description, task.status)
    assert (new.due_at, new.due_has_time) == (task.due_at, task.due_has_time)
    assert (new.recurrence, new.priority) == (task.recurrence, task.priority)
    if exact_reminder:
        assert new.remind_at == task.remind_at


def test_json_reads_back_every_field() -> None:
    tasks = exported()
    parsed = read(to_json(tasks, "Europe/Moscow"))
    assert parsed.format is FileFormat.JSON
    assert (parsed.skipped, parsed.not_tasks, parsed.undated) == ((), 0, 0)
    for task, new in zip(tasks, parsed.tasks, strict=True):
        same(task, new, exact_reminder=task.number != 4)
        assert new.done_at == task.done_at
        assert new.nag_minutes == task.nag_minutes
    assert parsed.tasks[3].remind_at is None  # its moment has passed


def test_csv_and_ics_read_back_what_they_hold() -> None:
    tasks = exported()
    for content, file_format in (
        (to_csv(tasks, MOSCOW), FileFormat.CSV),
        (to_ics(tasks, 1001, MOSCOW), FileFormat.ICS),
    ):
        parsed = read(content)
        assert parsed.format is file_format
        assert parsed.skipped == ()
        for task, new in zip(tasks, parsed.tasks, strict=True):
            same(task, new, exact_reminder=False)
        # No reminder column: a due time still ahead reminds then, as an added task does.
        assert [new.remind_at for new in parsed.tasks] == [tasks[0].due_at, None, None, None, None]
        bread = parsed.tasks[4]
        assert bread.done_at is not None
        assert abs(bread.done_at - NOW + timedelta(hours=5)) < timedelta(minutes=1)


def test_a_date_without_a_time_stays_that_day_in_another_zone() -> None:
    [rent] = read(to_json(exported()[1:2], "Europe/Moscow"), zone=NEW_YORK).tasks
    assert rent.due_at == datetime(2026, 12, 25, 5, 0, tzinfo=UTC)  # 25 Dec, 00:00 in New York
    assert not rent.due_has_time
    [call] = read(to_json(exported()[:1], "Europe/Moscow"), zone=NEW_YORK).tasks
    assert call.due_at == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # a moment stays a moment


def test_json_from_a_newer_bot_keeps_what_it_knows() -> None:
    document = json.loads(to_json(exported()[:1], "Europe/Moscow"))
    document["tasks"][0]["tags"] = ["home", "family"]
    document["tasks"].append(["not", "an", "object"])
    document["exported_by"] = "todo-bot 2"
    parsed = read(json.dumps(document))
    assert [task.title for task in parsed.tasks] == ["Call mom"]
    assert parsed.skipped == (Skipped(2, SkipReason.BAD_ENTRY),)


TODOIST = (
    "\ufeffTYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\n"
    "meta,view_style=list,,,,,,,,\n"
    "section,Home,,,,,,,,\n"
    "task,Fix the tap,washer 15mm,4,1,Ann (1),,tomorrow at 9,en,Europe/Moscow\n"
    "note,bring tools,,,,,,,,\n"
    ",,,,,,,,,\n"
    "task,Water plants,,3,2,Ann (1),,every monday,en,Europe/Moscow\n"
    "task,Позвонить бабушке,,2,1,Ann (1),,завтра в 18:00,ru,\n"
    "task,Someday,,1,1,Ann (1),,sometime next spring,en,\n"
    "task,,,4,1,Ann (1),,,en,\n"
    "task,Tax return,,1,1,Ann (1),,2027-03-31,en,\n"
)


def test_todoist_csv_tasks_with_their_priorities_and_dates() -> None:
    parsed = read(TODOIST)
    assert parsed.format is FileFormat.TODOIST
    titles = [task.title for task in parsed.tasks]
    assert titles == ["Fix the tap", "Water plants", "Позвонить бабушке", "Someday", "Tax return"]
    # Todoist's 4 is its highest, 1 its "no priority".
    assert [task.priority for task in parsed.tasks] == [1, 2, 3, None, None]
    tap, plants, grandma, someday, tax = parsed.tasks
    assert tap.description == "washer 15mm"
    assert (tap.due_at, tap.due_has_time) == (datetime(2026, 12, 3, 6, 0, tzinfo=UTC), True)
    assert tap.remind_at == tap.due_at
    assert plants.recurrence == "FREQ=WEEKLY;BYDAY=MO"
    assert plants.due_at == datetime(2026, 12, 6, 21, 0, tzinfo=UTC)  # Monday 7 Dec, Moscow
    assert grandma.due_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # the person's zone
    assert someday.due_at is None  # not understood: no date rather than a guess
    assert (tax.due_at, tax.due_has_time) == (datetime(2027, 3, 30, 21, 0, tzinfo=UTC), False)
    assert parsed.undated == 1
    assert parsed.not_tasks == 3  # meta, section, note (the blank row is nothing)
    assert parsed.skipped == (Skipped(10, SkipReason.NO_TITLE),)


CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Some calendar//EN\r
BEGIN:VTODO\r
UID:a\r
SUMMARY:Dentist\r
DUE;TZID=Europe/Berlin:20261204T100000\r
PRIORITY:5\r
STATUS:IN-PROCESS\r
END:VTODO\r
BEGIN:VEVENT\r
UID:b\r
SUMMARY:Concert\r
DTSTART:20261205T190000Z\r
END:VEVENT\r
BEGIN:VTODO\r
UID:c\r
SUMMARY:Stretch\r
DESCRIPTION:ten minutes\\, every morning\r
DUE:20261203T073000\r
RRULE:FREQ=DAILY;UNTIL=20261231T045959Z\r
PRIORITY:2\r
END:VTODO\r
BEGIN:VTODO\r
UID:d\r
SUMMARY:Passport\r
DUE;VALUE=DATE:20270115\r
PRIORITY:9\r
STATUS:COMPLETED\r
COMPLETED:20261201T080000Z\r
END:VTODO\r
BEGIN:VTODO\r
UID:e\r
SUMMARY:Two rules\r
RRULE:FREQ=DAILY\r
RRULE:FREQ=WEEKLY\r
END:VTODO\r
BEGIN:VTODO\r
UID:f\r
SUMMARY:Dropped\r
STATUS:CANCELLED\r
PRIORITY:0\r
END:VTODO\r
END:VCALENDAR\r
"""


def test_calendar_to_dos_and_not_its_events() -> None:
    parsed = read(CALENDAR)
    assert parsed.format is FileFormat.ICS
    assert parsed.not_tasks == 1
    assert parsed.skipped == (Skipped(4, SkipReason.BAD_REPEAT),)
    dentist, stretch, passport, dropped = parsed.tasks
    assert (dentist.due_at, dentist.due_has_time) == (datetime(2026, 12, 4, 9, tzinfo=UTC), True)
    assert (dentist.priority, dentist.status) == (2, TaskStatus.IN_PROGRESS)
    # A floating time is the person's own; UNTIL in UTC becomes their wall clock.
    assert stretch.due_at == datetime(2026, 12, 3, 4, 30, tzinfo=UTC)
    assert stretch.description == "ten minutes, every morning"
    assert stretch.recurrence == "FREQ=DAILY;UNTIL=20261231T075959"
    assert stretch.priority == 1
    assert (passport.due_at, passport.due_has_time) == (
        datetime(2027, 1, 14, 21, 0, tzinfo=UTC),
        False,
    )
    assert (passport.status, passport.priority) == (TaskStatus.DONE, 3)
    assert passport.done_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert (dropped.status, dropped.priority, dropped.done_at) == (TaskStatus.DONE, None, NOW)


def test_entries_that_cannot_be_imported_are_skipped_with_their_row() -> None:
    long_title = "Plan the trip. " + "Very long words " * 30  # over 256: cut like /add cuts
    rows = [
        f"1,{long_title},,pending,,,,,",
        "2,   ,a description only,pending,,,,,",
        "3,Odd status,,someday,,,,,",
        "4,Odd priority,,pending,,,7,,",
        "5,Odd date,,pending,31.02.2026,,,,",
        "6,Odd rule,,pending,,EVERY=SOMETIMES,,,",
        f'7,Too long,"{"x" * 3001}",pending,,,,,',
        "8,Done Upper Case,,DONE,2026-12-01,,,,2026-12-01 10:00",
        "9,Fine,,,,,,,",
    ]
    parsed = read(CSV_HEADER + "\n".join(rows) + "\n")
    assert [(s.position, s.reason) for s in parsed.skipped] == [
        (3, SkipReason.NO_TITLE),
        (4, SkipReason.BAD_STATUS),
        (5, SkipReason.BAD_PRIORITY),
        (6, SkipReason.BAD_DATE),
        (7, SkipReason.BAD_REPEAT),
        (8, SkipReason.TOO_LONG),
    ]
    trip, done, fine = parsed.tasks
    assert trip.title == "Plan the trip."
    assert trip.description is not None
    assert trip.description.startswith("Very long words")
    assert (done.status, done.done_at) == (TaskStatus.DONE, datetime(2026, 12, 1, 7, tzinfo=UTC))
    assert (fine.status, fine.due_at) == (TaskStatus.PENDING, None)


def test_a_spreadsheet_saved_with_semicolons_reads_the_same() -> None:
    text = CSV_HEADER.replace(",", ";") + "1;Milk;2 litres;pending;2026-12-05 18:00;;2;;\n"
    [milk] = read(codecs.BOM_UTF8 + text.encode()).tasks
    assert (milk.title, milk.description, milk.priority) == ("Milk", "2 litres", 2)
    assert milk.due_at == datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (CSV_HEADER.encode() + "1,Молоко,,pending,,,,,\n".encode("cp1251"), NotUtf8),
        (b"title\n\xff\xfe broken", NotUtf8),
        (b"", EmptyFile),
        (codecs.BOM_UTF8 + b" \n\r\n", EmptyFile),
        (b"just some notes\nnothing like a header\n", UnknownFormat),
        (b'{"tasks": []}', UnknownFormat),
        (b'{"format": "todo-bot", "version": 1, "tasks": [', BrokenFile),
        (b'{"format": "todo-bot", "version": 99, "tasks": []}', BrokenFile),
        (b"[1, 2]", UnknownFormat),
        (b"[" * 100_000 + b"]" * 100_000, BrokenFile),
        (b"title," + b"x" * 200_000 + b"\n", UnknownFormat),
        (CSV_HEADER.encode() + b'1,"' + b"x" * 200_000 + b'",,pending,,,,,\n', BrokenFile),
        (b'{"format": "todo-bot", "tasks": ' + b"[" * 100_000, BrokenFile),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n", BrokenFile),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nDUE:2026-12-01\r\nEND:VTODO\r\n", BrokenFile),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:never ends\nEND:VCALENDAR\n", BrokenFile),
        (
            b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VTODO\nSUMMARY:x\nEND:VTODO\n"
            b"BEGIN:VEVENT\nEND:VEVENT\nEND:VCALENDAR\n",
            BrokenFile,
        ),
    ],
)
def test_files_refused_as_a_whole(content: bytes, refusal: type[ImportRefused]) -> None:
    with pytest.raises(refusal):
        read(content)


def test_more_tasks_than_the_limit_are_refused_before_reading_them() -> None:
    started = time.perf_counter()
    with pytest.raises(TooManyTasks) as refused:
        read(HUGE_CSV)
    assert (refused.value.count, refused.value.limit) == (100_000, LIMIT)
    assert time.perf_counter() - started < 2  # counted, not read row by row
    calendar = "BEGIN:VCALENDAR\r\n" + "BEGIN:VTODO\r\nEND:VTODO\r\n" * 3 + "END:VCALENDAR\r\n"
    with pytest.raises(TooManyTasks):
        read(calendar, max_tasks=2)
    document = {"format": "todo-bot", "version": 1, "tasks": [{"title": "x"}] * 3}
    with pytest.raises(TooManyTasks):
        read(json.dumps(document), max_tasks=2)
    todoist = "TYPE,CONTENT\nsection,a\ntask,b\ntask,c\nnote,d\n"
    assert len(read(todoist, max_tasks=2).tasks) == 2  # sections and notes don't count
    with pytest.raises(TooManyTasks):
        read(todoist, max_tasks=1)


def test_duplicates_ignore_case_and_spacing_but_not_the_due_date() -> None:
    due = datetime(2026, 12, 5, tzinfo=UTC)
    existing = {duplicate_key("Buy  milk", None), duplicate_key("Call mom", due)}
    plan = plan_import(
        [
            NewTask(title="buy MILK"),  # the person has it
            NewTask(title="Call mom"),  # theirs is due on the 5th: another task
            NewTask(title="Call  Mom", due_at=due),  # theirs
            NewTask(title="Bread"),
            NewTask(title=" bread "),  # again in the file
        ],
        existing,
    )
    assert [task.title for task in plan.new] == ["Call mom", "Bread"]
    assert (plan.already_there, plan.repeated) == (2, 1)


def test_the_csv_day_is_the_persons_day() -> None:
    [task] = read(CSV_HEADER + "1,Party,,pending,2026-12-31,,,,\n", zone=NEW_YORK).tasks
    assert task.due_at is not None
    assert task.due_at.astimezone(NEW_YORK).date() == date(2026, 12, 31)


def test_tags_from_each_format() -> None:
    ours = read(
        CSV_HEADER.replace(",created", ",tags,created")
        + '1,Buy milk #Shop,,pending,,,,"home, #Work",,\n'
        + "2,Plain,,pending,,,,#3 !!,,\n"  # no tags there: left out, the task stays
    )
    assert [(task.title, task.tags) for task in ours.tasks] == [
        ("Buy milk", ("home", "shop", "work")),
        ("Plain", ()),
    ]
    todoist = read(
        "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\n"
        "task,Report @work @Urgent for mail@example.com,,1,1,,,,en,\n"
    )
    [report] = todoist.tasks
    assert (report.title, report.tags) == ("Report for mail@example.com", ("urgent", "work"))
    calendar = read(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTODO\r\nUID:a\r\n"
        "SUMMARY:Dentist\r\nCATEGORIES:Health,Family\r\nCATEGORIES:errands\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )
    assert calendar.tasks[0].tags == ("errands", "family", "health")
    document = json.loads(to_json([], "UTC"))
    document["tasks"] = [{"title": "x", "status": "pending", "tags": ["Home", 3, "#ok"]}]
    assert read(json.dumps(document)).tasks[0].tags == ("home", "ok")
