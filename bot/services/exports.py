"""A person's tasks as files to take elsewhere: JSON (everything), CSV (a spreadsheet) and
ICS (a calendar's to-dos, with icalendar)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Todo

from bot.schemas import TaskRead, TaskStatus

FORMAT_VERSION = 1
# Our CSV's columns, in order; the importer finds them by name (bot.services.imports).
CSV_COLUMNS = (
    "number",
    "title",
    "description",
    "status",
    "due",
    "repeat",
    "priority",
    "tags",
    "created",
    "done",
)
# RFC 5545 PRIORITY: 1-4 high, 5 medium, 6-9 low (0: undefined, left out).
ICS_PRIORITY = {1: 1, 2: 5, 3: 9}

_ICS_STATUS = {
    TaskStatus.PENDING: "NEEDS-ACTION",
    TaskStatus.IN_PROGRESS: "IN-PROCESS",
    TaskStatus.DONE: "COMPLETED",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def to_json(tasks: Sequence[TaskRead], zone: str) -> bytes:
    """Everything about each task (UTC times), to keep or to bring back."""
    document = {
        "format": "todo-bot",
        "version": FORMAT_VERSION,
        "timezone": zone,
        "tasks": [
            {
                "number": task.number,
                "title": task.title,
                "description": task.description,
                "status": task.status.value,
                "created_at": _iso(task.created_at),
                "updated_at": _iso(task.updated_at),
                "done_at": _iso(task.done_at),
                "due_at": _iso(task.due_at),
                "due_has_time": task.due_has_time,
                "remind_at": _iso(task.remind_at),
                "recurrence": task.recurrence,
                "priority": task.priority,
                "nag_minutes": task.nag_minutes,
                "tags": list(task.tags),
            }
            for task in tasks
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def to_csv(tasks: Sequence[TaskRead], zone: ZoneInfo) -> bytes:
    """One row per task, times in the person's zone; UTF-8 with a byte order mark, so a
    spreadsheet opens Cyrillic text right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for task in tasks:
        due = ""
        if task.due_at is not None:
            local = task.due_at.astimezone(zone)
            due = f"{local:%Y-%m-%d %H:%M}" if task.due_has_time else f"{local:%Y-%m-%d}"
        writer.writerow(
            [
                task.number,
                task.title,
                task.description or "",
                task.status.value,
                due,
                task.recurrence or "",
                task.priority or "",
                " ".join(f"#{name}" for name in task.tags),
                f"{task.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
                f"{task.done_at.astimezone(zone):%Y-%m-%d %H:%M}" if task.done_at else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


def to_ics(tasks: Sequence[TaskRead], owner: int, zone: ZoneInfo) -> bytes:
    """Each task a VTODO a calendar app imports: summary, description, status, due (a date,
    or a time), repeat rule, priority, tags (CATEGORIES), and the moments it was made,
    changed and done."""
    calendar = Calendar()
    calendar.add("prodid", "-//todo-bot//EN")
    calendar.add("version", "2.0")
    for task in tasks:
        todo = Todo()
        todo.add("uid", f"{owner}-{task.number}@todo-bot")
        todo.add("summary", task.title)
        if task.description:
            todo.add("description", task.description)
        todo.add("status", _ICS_STATUS[task.status])
        todo.add("dtstamp", task.updated_at)
        todo.add("created", task.created_at)
        todo.add("last-modified", task.updated_at)
        if task.due_at is not None:
            local = task.due_at.astimezone(zone)
            todo.add("due", task.due_at if task.due_has_time else local.date())
        if task.recurrence:
            todo.add("rrule", dict(part.split("=", 1) for part in task.recurrence.split(";")))
        if task.priority in ICS_PRIORITY:
            todo.add("priority", ICS_PRIORITY[task.priority])
        if task.tags:
            todo.add("categories", list(task.tags))
        if task.done_at is not None:
            todo.add("completed", task.done_at)
        calendar.add_component(todo)
    ical: bytes = calendar.to_ical()
    return ical
