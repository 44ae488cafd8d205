"""Read models and value types the service hands out; never live ORM objects."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskFilter(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    ALL = "all"


class DoneOutcome(enum.StrEnum):
    DONE = "done"
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"
    RESCHEDULED = "rescheduled"  # a recurring task: open again, due at its next occurrence


# Telegram usernames are 5-32 of these; anything else (or none) falls back to `#<id>`,
# which no username can equal.
USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,32}")
# What `users.language` holds: an IETF tag as Telegram sends it (`en`, `pt-br`), trimmed.
LANGUAGE_MAX_LENGTH = 16
TAG_MAX_LENGTH = 64  # characters of a tag's name, without the "#"
_NOT_IN_A_LANGUAGE_TAG = re.compile(r"[^a-z0-9_-]")


class _ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class Person(_ReadModel):
    """Who sent an update, as Telegram describes them."""

    telegram_id: int
    username: str | None = None
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _normalise_language(cls, value: str | None) -> str | None:
        """Whatever a client sends fits the column: lower case, tag characters only."""
        if value is None:
            return None
        tag = _NOT_IN_A_LANGUAGE_TAG.sub("", value.strip().lower())[:LANGUAGE_MAX_LENGTH]
        return tag or None

    @property
    def key(self) -> str:
        """The `users.username` key: the username in lower case, or `#<telegram_id>`."""
        if self.username and USERNAME_RE.fullmatch(self.username):
            return self.username.lower()
        return f"#{self.telegram_id}"


class PersonZone(_ReadModel):
    name: str = Field(description="An IANA zone name")
    chosen: bool = Field(description="False while it is the default the person never chose")


class UserRead(_ReadModel):
    username: str
    telegram_id: int
    language: str | None
    timezone: str = "UTC"
    timezone_chosen: bool = False
    digest_minute: int | None = None
    quiet_from: int | None = None
    quiet_to: int | None = None


class TaskRead(_ReadModel):
    number: int
    title: str
    description: str | None
    status: TaskStatus
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    due_at: datetime | None = None  # UTC; a date without a time is the local day's 00:00
    due_has_time: bool = False
    remind_at: datetime | None = None
    recurrence: str | None = None
    nag_minutes: int | None = None
    priority: int | None = None  # 1 (high) to 3 (low)
    tags: tuple[str, ...] = ()  # lower case, sorted, without "#"


class AddResult(_ReadModel):
    task: TaskRead
    created: bool = Field(description="False when the source message had already made this task")


class StatusChange(_ReadModel):
    task: TaskRead
    changed: bool = Field(description="False when the task already had that status")


class BatchResult(_ReadModel):
    """Tasks made from one message, one per line."""

    tasks: tuple[TaskRead, ...]
    created: bool = Field(description="False when the message had already made these tasks")


class TagRead(_ReadModel):
    """One of a person's tags; `id` is only meaningful together with its owner."""

    id: int
    name: str
    open_count: int = 0
    done_count: int = 0


class TaskPage(_ReadModel):
    items: tuple[TaskRead, ...]
    filter: TaskFilter
    tag: TagRead | None = Field(default=None, description="Only tasks with this tag")
    page: int = Field(description="0-based, clamped to the last page")
    page_size: int
    total: int = Field(description="Tasks matching the filter")
    open_count: int
    done_count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class DueTasks(_ReadModel):
    """Open tasks by due date (/today, /upcoming), with what rendering them needs."""

    tasks: tuple[TaskRead, ...]
    zone: PersonZone
    today: date = Field(description="The person's local date when they were read")


class DoneReport(_ReadModel):
    number: int
    outcome: DoneOutcome
    title: str | None = None
    next_due: datetime | None = None


# -- importing a file ----------------------------------------------------------------------


class FileFormat(enum.StrEnum):
    JSON = "json"  # ours, from /export
    CSV = "csv"  # ours, from /export
    ICS = "ics"  # a calendar's to-dos, ours or any app's
    TODOIST = "todoist"  # Todoist's CSV export


class SkipReason(enum.StrEnum):
    """Why an entry of a file is not imported (the rest of the file still is)."""

    NO_TITLE = "no_title"
    TOO_LONG = "too_long"
    BAD_DATE = "bad_date"
    BAD_STATUS = "bad_status"
    BAD_PRIORITY = "bad_priority"
    BAD_REPEAT = "bad_repeat"
    BAD_ENTRY = "bad_entry"  # no task at all: a JSON value that is no object, a NUL ...


class NewTask(_ReadModel):
    """A task read from a file, as it will be stored (times in UTC)."""

    title: str
    description: str | None = None
    status: TaskStatus = TaskStatus.PENDING
    due_at: datetime | None = None
    due_has_time: bool = False
    recurrence: str | None = None
    remind_at: datetime | None = None
    priority: int | None = None
    done_at: datetime | None = None
    nag_minutes: int | None = None
    tags: tuple[str, ...] = ()  # normalized, sorted


class SkippedEntries(_ReadModel):
    reason: SkipReason
    count: int
    positions: tuple[int, ...] = Field(description="The first few: spreadsheet rows, or 1, 2 ...")


class ImportSummary(_ReadModel):
    """What a file holds besides the tasks it adds; the preview and the result say it."""

    file_format: FileFormat
    already_there: int = Field(description="Tasks the person has already (title and due date)")
    repeated: int = Field(description="The same task again further down the file")
    skipped: tuple[SkippedEntries, ...] = ()
    not_tasks: int = Field(0, description="Events, sections, notes: left out")
    undated: int = Field(0, description="A date in words not understood: added without one")


class ImportPreview(_ReadModel):
    summary: ImportSummary
    adding: int
    first: tuple[TaskRead, ...] = Field(description="The first few, numbered as they would be")


class ImportResult(_ReadModel):
    added: int
    numbers: tuple[int, int] | None = Field(description="The first and last new number")
    summary: ImportSummary | None = Field(
        description="None when this file's message had been imported before (a second tap)"
    )


class SearchPage(_ReadModel):
    """A page of /find's results: the person's tasks matching every word, best first."""

    words: tuple[str, ...] = Field(description="What was looked for (bot.services.search)")
    cut: bool = Field(description="The query was longer: only these words were searched")
    items: tuple[TaskRead, ...]
    page: int = Field(description="0-based, clamped to the last page")
    page_size: int
    total: int = Field(description="Tasks matching")

    @property
    def query(self) -> str:
        return " ".join(self.words)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
