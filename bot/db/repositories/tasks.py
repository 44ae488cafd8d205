"""Tasks: every statement about them, each scoped by its owner.

Statements are SQLAlchemy Core constants built once at import with bound parameters, so
each use case reuses SQLAlchemy's compiled form (and asyncpg its prepared statement).
Parameter names never equal a column name: SQLAlchemy would read such a key, passed to an
UPDATE or INSERT, as a value to set.

A person's tasks are found through `users.telegram_id` inside each statement, never through
a key taken from the update, so an out-of-date username can't point at someone else's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Task, TaskTag, User
from bot.schemas import NewTask, TaskFilter, TaskRead, TaskStatus

TASK_COLUMNS = (
    Task.number,
    Task.title,
    Task.description,
    Task.status,
    Task.created_at,
    Task.updated_at,
    Task.done_at,
    Task.due_at,
    Task.due_has_time,
    Task.remind_at,
    Task.recurrence,
    Task.nag_minutes,
    Task.priority,
    Task.tags,
)
OPEN = Task.status.in_((TaskStatus.PENDING, TaskStatus.IN_PROGRESS))
# The same expression as in `ix_tasks_list_order` (no priority sorts after low), with the 4
# as a literal: a bound parameter would keep the planners from matching the index.
_PRIORITY_RANK = func.coalesce(Task.priority, literal_column("4"))

# Statuses in list order per filter; "done" lists the newest number first.
LIST_ORDER: dict[TaskFilter, tuple[TaskStatus, ...]] = {
    TaskFilter.OPEN: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING),
    TaskFilter.DONE: (TaskStatus.DONE,),
    TaskFilter.ALL: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.DONE),
}

# The person's current key, looked up by Telegram id inside each statement (the tag and
# search repositories build on these too).
OWNER_KEY = select(User.username).where(User.telegram_id == bindparam("tg_id")).scalar_subquery()
OWNED_TASK = and_(Task.username == OWNER_KEY, Task.number == bindparam("num"))
_FROM_MESSAGE = and_(
    Task.chat_id == bindparam("src_chat"), Task.message_id == bindparam("src_message")
)
_FROM_PART = and_(_FROM_MESSAGE, Task.part == bindparam("src_part"))

_GET = select(*TASK_COLUMNS).where(OWNED_TASK)

_FROM_SOURCE = (
    select(*TASK_COLUMNS).where(Task.username == OWNER_KEY, _FROM_MESSAGE).order_by(Task.part)
)

# Changes only a task not already in the status, so `done_at` keeps its first moment.
# A recurring task is not marked done here: it moves to its next occurrence (the service's).
_SET_STATUS = (
    update(Task)
    .where(
        OWNED_TASK,
        Task.status != bindparam("new_status"),
        or_(Task.recurrence.is_(None), bindparam("new_status") != TaskStatus.DONE),
    )
    .values(
        status=bindparam("new_status"),
        updated_at=bindparam("at"),
        done_at=bindparam("done_time"),
        # A done task reminds no one; reopening it does not bring a reminder back either.
        remind_at=case((bindparam("new_status") == TaskStatus.DONE, None), else_=Task.remind_at),
    )
    .returning(*TASK_COLUMNS)
)

_NUMBERS = Task.number.in_(bindparam("nums", expanding=True))
# A recurring task is not closed here: it moves to its next occurrence (the service's job).
_MARK_DONE = (
    update(Task)
    .where(
        Task.username == OWNER_KEY,
        _NUMBERS,
        Task.status != TaskStatus.DONE,
        Task.recurrence.is_(None),
    )
    .values(
        status=TaskStatus.DONE,
        updated_at=bindparam("at"),
        done_at=bindparam("at"),
        remind_at=None,
    )
    .returning(Task.number, Task.title)
)
_FIND = select(*TASK_COLUMNS).where(Task.username == OWNER_KEY, _NUMBERS)

_EDIT_TITLE = (
    update(Task)
    .where(OWNED_TASK)
    .values(title=bindparam("new_title"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)
_EDIT_TITLE_AND_DESCRIPTION = _EDIT_TITLE.values(description=bindparam("new_description"))

_DELETE = delete(Task).where(OWNED_TASK).returning(*TASK_COLUMNS)

_SET_REMINDER = (
    update(Task)
    .where(OWNED_TASK, Task.status != TaskStatus.DONE)
    .values(remind_at=bindparam("new_remind"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)

# Claiming due reminders: the rows are taken in the same statement that moves their
# `remind_at` to a lease (a time a little ahead), so two workers or replicas never take the
# same firing (SKIP LOCKED on PostgreSQL; SQLite has one writer anyway), and a worker that
# dies before sending leaves the firing to be claimed again once the lease has passed.
_CLAIMABLE = (
    select(Task.id)
    .where(Task.remind_at <= bindparam("now"), Task.status != TaskStatus.DONE)
    .order_by(Task.remind_at)
    .limit(bindparam("most", type_=Integer))
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(Task)
    .where(Task.id.in_(_CLAIMABLE.scalar_subquery()))
    .values(remind_at=bindparam("lease"), updated_at=Task.updated_at)  # not the person's edit
    .returning(Task.id.label("task_id"), Task.username, *TASK_COLUMNS)
)
# Their owners, in a second statement: SQLite's RETURNING can't carry a correlated subquery.
_OWNERS = select(
    User.username,
    User.telegram_id,
    User.language,
    User.timezone,
    User.quiet_from,
    User.quiet_to,
).where(User.username.in_(bindparam("keys", expanding=True)))
# After the send: the next nag, or no more reminder; unless something (a snooze, an edit)
# set a new one meanwhile. Quiet hours move a firing the same way.
_FIRED = (
    update(Task)
    .where(Task.id == bindparam("task_id"), Task.remind_at == bindparam("lease"))
    .values(remind_at=bindparam("next_at"), updated_at=Task.updated_at)
)
_ALL = select(*TASK_COLUMNS).where(Task.username == OWNER_KEY).order_by(Task.number)

_SET_RECURRENCE = (
    update(Task)
    .where(OWNED_TASK)
    .values(
        recurrence=bindparam("rule"),
        due_at=bindparam("new_due"),
        due_has_time=bindparam("new_due_has_time"),
        updated_at=bindparam("at"),
    )
    .returning(*TASK_COLUMNS)
)
_SET_PRIORITY = (
    update(Task)
    .where(OWNED_TASK)
    .values(priority=bindparam("new_priority"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)
_SET_NAG = (
    update(Task)
    .where(OWNED_TASK)
    .values(nag_minutes=bindparam("nag"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)
_END_SERIES = (
    update(Task)
    .where(OWNED_TASK)
    .values(
        status=TaskStatus.DONE,
        done_at=bindparam("at"),
        updated_at=bindparam("at"),
        recurrence=None,
        remind_at=None,
    )
    .returning(*TASK_COLUMNS)
)
_STOP_REMINDERS = (
    update(Task)
    .where(Task.username == OWNER_KEY, Task.remind_at.is_not(None))
    .values(remind_at=None, updated_at=Task.updated_at)
)
_RESCHEDULE = (
    update(Task)
    .where(OWNED_TASK)
    .values(
        status=TaskStatus.PENDING,
        done_at=None,
        due_at=bindparam("new_due"),
        remind_at=bindparam("new_remind"),
        updated_at=bindparam("at"),
    )
    .returning(*TASK_COLUMNS)
)

_SET_DUE = (
    update(Task)
    .where(OWNED_TASK)
    .values(
        due_at=bindparam("new_due"),
        due_has_time=bindparam("new_due_has_time"),
        remind_at=bindparam("new_remind"),
        recurrence=bindparam("new_recurrence"),
        updated_at=bindparam("at"),
    )
    .returning(*TASK_COLUMNS)
)


def _due_between() -> Select[Any]:
    """Open tasks due in [from, to), earliest first, higher priority first at the same
    moment: /today (from the beginning of time) and /upcoming. Each open status is read in
    ix_tasks_list_order's order and cut to `most`, so a long overdue history is never
    sorted whole; the two short runs are merged."""
    runs = [
        select(*TASK_COLUMNS, _PRIORITY_RANK.label("priority_rank"))
        .where(
            Task.username == OWNER_KEY,
            Task.status == status,
            Task.due_at >= bindparam("due_from"),
            Task.due_at < bindparam("due_to"),
        )
        .order_by(Task.due_at, _PRIORITY_RANK, Task.number)
        .limit(bindparam("most", type_=Integer))
        .subquery()
        for status in (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)
    ]
    merged = union_all(*(select(run) for run in runs)).subquery()
    return (
        select(merged)
        .order_by(merged.c.due_at, merged.c.priority_rank, merged.c.number)
        .limit(bindparam("most", type_=Integer))
    )


_DUE_BETWEEN = _due_between()


def _list_parts(task_filter: TaskFilter) -> list[tuple[TaskStatus, bool | None]]:
    """The list's order, as index-ordered runs: (status, dated?). Open tasks go in progress
    first, then to do; within each, those with a due date by date, then the rest; higher
    priority first at the same due date (or among the undated), then by number.
    Done tasks are listed newest number first (dated: None, one run)."""
    runs: list[tuple[TaskStatus, bool | None]] = []
    for status in LIST_ORDER[task_filter]:
        if status is TaskStatus.DONE:
            runs.append((status, None))
        else:
            runs += [(status, True), (status, False)]
    return runs


# Only the tasks carrying one tag (/list #home); the tag's id comes from the person's own
# tags (TagRepository.find), and the task's owner is checked as everywhere.
_TAGGED = Task.id.in_(select(TaskTag.task_id).where(TaskTag.tag_id == bindparam("tag_id")))


def _tagged_count(*statuses: TaskStatus) -> Any:
    return (
        select(func.count())
        .select_from(Task)
        .where(Task.username == OWNER_KEY, Task.status.in_(statuses), _TAGGED)
        .scalar_subquery()
    )


def _list_page(task_filter: TaskFilter, *, tagged: bool = False) -> Select[Any]:
    """One page and the person's totals in one statement, at any length of history.

    Each run is read in its order through an index (`ix_tasks_list_order` for open tasks,
    `ix_tasks_username_status_number` for done ones) and cut to what the page
    can need (`needed` = offset + page size), so the final sort never sees more than a few
    pages of rows. With no task on the page, one row still brings the totals; with no such
    person, there is no row at all. `tagged`: only tasks with the tag `tag_id`, and the
    totals count those.
    """
    newest_first = task_filter is TaskFilter.DONE
    parts = []
    for rank, (status, dated) in enumerate(_list_parts(task_filter)):
        part = select(
            *TASK_COLUMNS, literal(rank).label("rank"), _PRIORITY_RANK.label("priority_rank")
        ).where(Task.username == OWNER_KEY, Task.status == status)
        if tagged:
            part = part.where(_TAGGED)
        if dated is None:
            part = part.order_by(Task.number.desc())
        elif dated:
            part = part.where(Task.due_at.is_not(None)).order_by(
                Task.due_at, _PRIORITY_RANK, Task.number
            )
        else:
            part = part.where(Task.due_at.is_(None)).order_by(_PRIORITY_RANK, Task.number)
        parts.append(select(part.limit(bindparam("needed")).subquery()))
    candidates = union_all(*parts).subquery()
    order = (
        (candidates.c.rank, candidates.c.number.desc())
        if newest_first
        else (
            candidates.c.rank,
            candidates.c.due_at,
            candidates.c.priority_rank,
            candidates.c.number,
        )
    )
    page = (
        select(candidates)
        .order_by(*order)
        .limit(bindparam("page_size"))
        .offset(bindparam("offset"))
        .subquery()
    )
    final = (
        (page.c.rank, page.c.number.desc())
        if newest_first
        else (page.c.rank, page.c.due_at, page.c.priority_rank, page.c.number)
    )
    totals = (
        (
            _tagged_count(TaskStatus.PENDING, TaskStatus.IN_PROGRESS).label("open_count"),
            _tagged_count(TaskStatus.DONE).label("done_count"),
        )
        if tagged
        else (User.open_count, User.done_count)
    )
    return (
        select(*totals, page)
        .select_from(User)
        .outerjoin(page, true())
        .where(User.telegram_id == bindparam("tg_id"))
        .order_by(*final)
    )


_LIST_PAGE = {
    (task_filter, tagged): _list_page(task_filter, tagged=tagged)
    for task_filter in TaskFilter
    for tagged in (False, True)
}

# Taking the next number: bumping `last_task_number` row-locks the person, so concurrent
# adds queue instead of colliding. It bumps nothing (and so inserts nothing) when the person
# has no row yet, is at the cap, or this message already made a task.
_TAKE_NUMBER = (
    update(User)
    .where(
        User.telegram_id == bindparam("tg_id"),
        User.open_count + User.done_count < bindparam("cap"),
        ~exists().where(_FROM_PART),
    )
    .values(last_task_number=User.last_task_number + 1, updated_at=bindparam("at"))
    .returning(User.username, User.last_task_number)
)
_NEW_TASK_COLUMNS = (
    "username",
    "number",
    "title",
    "description",
    "status",
    "created_at",
    "updated_at",
    "chat_id",
    "message_id",
    "part",
    "due_at",
    "due_has_time",
    "remind_at",
    "recurrence",
    "priority",
    "tags",
)


def _new_task_values(owner: Any, number: Any) -> tuple[Any, ...]:
    return (
        owner,
        number,
        bindparam("new_title", type_=Task.title.type),
        bindparam("new_description", type_=Task.description.type),
        literal(TaskStatus.PENDING, Task.status.type),
        bindparam("at", type_=Task.created_at.type),
        bindparam("at", type_=Task.updated_at.type),
        bindparam("src_chat", type_=Task.chat_id.type),
        bindparam("src_message", type_=Task.message_id.type),
        bindparam("src_part", type_=Task.part.type),
        bindparam("new_due", type_=Task.due_at.type),
        bindparam("new_due_has_time", type_=Task.due_has_time.type),
        bindparam("new_remind", type_=Task.remind_at.type),
        bindparam("new_recurrence", type_=Task.recurrence.type),
        bindparam("new_priority", type_=Task.priority.type),
        bindparam("new_tags", type_=Task.tags.type),
    )


# PostgreSQL takes the number and inserts in one statement (a data-modifying CTE): one
# round trip in autocommit, atomic by itself.
_next_number = _TAKE_NUMBER.cte("next_number")
_ADD_IN_ONE_STATEMENT = (
    postgresql.insert(Task)
    .from_select(
        _NEW_TASK_COLUMNS,
        select(*_new_task_values(_next_number.c.username, _next_number.c.last_task_number)),
    )
    .on_conflict_do_nothing()
    .returning(*TASK_COLUMNS)
    .add_cte(_next_number)
)
# SQLite has no data-modifying CTE: the same two steps, in the unit of work's transaction.
_INSERT = (
    insert(Task)
    .from_select(
        _NEW_TASK_COLUMNS,
        select(*_new_task_values(bindparam("owner"), bindparam("num"))),
    )
    .returning(*TASK_COLUMNS)
)


# Importing a file: what the person has (to skip duplicates), what a file's message made
# before (a second tap on Import), and the new tasks in one executemany of one statement.
_TITLES_AND_DUES = select(Task.title, Task.due_at).where(Task.username == OWNER_KEY)
_MADE_BY_MESSAGE = select(func.count(), func.min(Task.number), func.max(Task.number)).where(
    Task.username == OWNER_KEY, _FROM_MESSAGE
)
_INSERT_IMPORTED = insert(Task).values(
    username=OWNER_KEY,
    number=bindparam("num"),
    title=bindparam("new_title"),
    description=bindparam("new_description"),
    status=bindparam("new_status"),
    created_at=bindparam("at"),
    updated_at=bindparam("at"),
    done_at=bindparam("done_time"),
    chat_id=bindparam("src_chat"),
    message_id=bindparam("src_message"),
    part=bindparam("src_part"),
    due_at=bindparam("new_due"),
    due_has_time=bindparam("new_due_has_time"),
    remind_at=bindparam("new_remind"),
    recurrence=bindparam("new_recurrence"),
    priority=bindparam("new_priority"),
    nag_minutes=bindparam("nag"),
    tags=bindparam("new_tags"),
)


def to_task(row: Mapping[Any, Any]) -> TaskRead:
    return TaskRead(
        number=row["number"],
        title=row["title"],
        description=row["description"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        done_at=row["done_at"],
        due_at=row["due_at"],
        due_has_time=row["due_has_time"],
        remind_at=row["remind_at"],
        recurrence=row["recurrence"],
        nag_minutes=row["nag_minutes"],
        priority=row["priority"],
        tags=tuple(row["tags"].split()) if row["tags"] else (),
    )


@dataclass(frozen=True)
class ClaimedReminder:
    """A firing taken by this worker until `lease`; `task_id` is the worker's handle."""

    task_id: int
    lease: datetime
    telegram_id: int
    language: str | None
    timezone: str
    quiet: tuple[int | None, int | None]  # the owner's quiet hours, minutes after midnight
    task: TaskRead


@dataclass(frozen=True)
class Due:
    """When a task is due, in UTC, and what follows from it."""

    at: datetime
    has_time: bool
    remind_at: datetime | None = None
    recurrence: str | None = None


def _due_params(due: Due | None) -> dict[str, Any]:
    return {
        "new_due": due.at if due else None,
        "new_due_has_time": due.has_time if due else False,
        "new_remind": due.remind_at if due else None,
        "new_recurrence": due.recurrence if due else None,
    }


class TaskRepository:
    """A person's tasks on one connection; it never commits (the unit of work does)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _rows(self, statement: Any, params: Mapping[str, Any]) -> Sequence[Any]:
        return (await self._connection.execute(statement, params)).mappings().all()

    async def _task(self, statement: Any, params: Mapping[str, Any]) -> TaskRead | None:
        row = (await self._connection.execute(statement, params)).mappings().first()
        return None if row is None else to_task(row)

    async def get(self, owner: int, number: int) -> TaskRead | None:
        return await self._task(_GET, {"tg_id": owner, "num": number})

    async def from_message(self, owner: int, chat_id: int, message_id: int) -> list[TaskRead]:
        """The tasks this message made (one, or one per line), in line order."""
        params = {"tg_id": owner, "src_chat": chat_id, "src_message": message_id}
        return [to_task(row) for row in await self._rows(_FROM_SOURCE, params)]

    async def add_next(
        self,
        owner: int,
        *,
        title: str,
        description: str | None,
        chat_id: int,
        message_id: int,
        at: datetime,
        cap: int,
        part: int = 0,
        due: Due | None = None,
        priority: int | None = None,
        tags: Sequence[str] = (),
    ) -> TaskRead | None:
        """Store a new task under the person's next number; None, with nothing changed, when
        the person has no row, has `cap` tasks, or this part of the message made a task.
        `tags` only fills the shown names: TagRepository.tag_task links them."""
        params = {
            "tg_id": owner,
            "cap": cap,
            "src_chat": chat_id,
            "src_message": message_id,
            "src_part": part,
            "new_priority": priority,
            "new_tags": " ".join(tags) or None,
            **_due_params(due),
            "new_title": title,
            "new_description": description,
            "at": at,
        }
        if self._connection.dialect.name == "postgresql":
            return await self._task(_ADD_IN_ONE_STATEMENT, params)
        taken = (await self._connection.execute(_TAKE_NUMBER, params)).first()
        if taken is None:
            return None
        return await self._task(_INSERT, {**params, "owner": taken[0], "num": taken[1]})

    async def titles_and_dues(self, owner: int) -> list[tuple[str, datetime | None]]:
        """Every task's title and due moment (duplicates of a file's tasks are skipped)."""
        rows = await self._connection.execute(_TITLES_AND_DUES, {"tg_id": owner})
        return [(title, due_at) for title, due_at in rows]

    async def made_by_message(self, owner: int, chat_id: int, message_id: int) -> tuple[int, int]:
        """The first and last number of the tasks this message made; (0, 0) for none."""
        params = {"tg_id": owner, "src_chat": chat_id, "src_message": message_id}
        count, first, last = (await self._connection.execute(_MADE_BY_MESSAGE, params)).one()
        return (first, last) if count else (0, 0)

    async def add_imported(
        self,
        owner: int,
        tasks: Sequence[NewTask],
        *,
        first_number: int,
        chat_id: int,
        message_id: int,
        at: datetime,
    ) -> None:
        """Store `tasks` under numbers from `first_number` on, each a part of the message
        that brought the file. The caller holds the person's row (UserRepository.lock) and
        has checked the cap; one statement, executed for all the rows at once. Their tags
        are only shown names here: TagRepository.tag_numbers links them."""
        rows = [
            {
                "tg_id": owner,
                "num": first_number + part,
                "new_title": task.title,
                "new_description": task.description,
                "new_status": task.status,
                "at": at,
                "done_time": task.done_at,
                "src_chat": chat_id,
                "src_message": message_id,
                "src_part": part,
                "new_due": task.due_at,
                "new_due_has_time": task.due_has_time,
                "new_remind": task.remind_at,
                "new_recurrence": task.recurrence,
                "new_priority": task.priority,
                "nag": task.nag_minutes,
                "new_tags": " ".join(task.tags) or None,
            }
            for part, task in enumerate(tasks)
        ]
        if rows:
            await self._connection.execute(_INSERT_IMPORTED, rows)

    async def set_status(
        self, owner: int, number: int, status: TaskStatus, at: datetime
    ) -> TaskRead | None:
        """None when the task is not theirs or already has that status."""
        params = {
            "tg_id": owner,
            "num": number,
            "new_status": status,
            "at": at,
            "done_time": at if status is TaskStatus.DONE else None,
        }
        return await self._task(_SET_STATUS, params)

    async def mark_done(self, owner: int, numbers: Iterable[int], at: datetime) -> dict[int, str]:
        """Close the open ones among `numbers`: {number: title} of those it closed."""
        rows = await self._rows(_MARK_DONE, {"tg_id": owner, "nums": list(numbers), "at": at})
        return {row["number"]: row["title"] for row in rows}

    async def find(self, owner: int, numbers: Iterable[int]) -> dict[int, TaskRead]:
        """Those of `numbers` the person has."""
        rows = await self._rows(_FIND, {"tg_id": owner, "nums": list(numbers)})
        return {row["number"]: to_task(row) for row in rows}

    async def edit(
        self,
        owner: int,
        number: int,
        *,
        title: str,
        description: str | None,
        at: datetime,
        keep_description: bool = False,
    ) -> TaskRead | None:
        """A new title and description (None clears it); with `keep_description`, a new
        title only."""
        params: dict[str, Any] = {"tg_id": owner, "num": number, "new_title": title, "at": at}
        if keep_description:
            return await self._task(_EDIT_TITLE, params)
        return await self._task(
            _EDIT_TITLE_AND_DESCRIPTION, {**params, "new_description": description}
        )

    async def set_due(
        self, owner: int, number: int, due: Due | None, at: datetime
    ) -> TaskRead | None:
        """A new due date (None: none), with its reminder and recurrence."""
        params = {"tg_id": owner, "num": number, "at": at, **_due_params(due)}
        return await self._task(_SET_DUE, params)

    async def due_between(
        self, owner: int, start: datetime, end: datetime, most: int
    ) -> list[TaskRead]:
        """Open tasks due in [start, end), earliest first, at most `most`."""
        params = {"tg_id": owner, "due_from": start, "due_to": end, "most": most}
        return [to_task(row) for row in await self._rows(_DUE_BETWEEN, params)]

    async def set_reminder(
        self, owner: int, number: int, remind_at: datetime | None, at: datetime
    ) -> TaskRead | None:
        """None when the task is not theirs or is done."""
        params = {"tg_id": owner, "num": number, "new_remind": remind_at, "at": at}
        return await self._task(_SET_REMINDER, params)

    async def reschedule(
        self, owner: int, number: int, due_at: datetime, remind_at: datetime | None, at: datetime
    ) -> TaskRead | None:
        """A recurring task's next occurrence: open again, due then."""
        params = {"tg_id": owner, "num": number, "new_due": due_at, "new_remind": remind_at}
        return await self._task(_RESCHEDULE, {**params, "at": at})

    async def claim_reminders(
        self, now: datetime, lease: datetime, most: int
    ) -> list[ClaimedReminder]:
        rows = await self._rows(_CLAIM, {"now": now, "lease": lease, "most": most})
        if not rows:
            return []
        keys = sorted({row["username"] for row in rows})
        owners = {owner["username"]: owner for owner in await self._rows(_OWNERS, {"keys": keys})}
        claimed = []
        for row in rows:
            owner = owners.get(row["username"])
            if owner is None:  # renamed between the two statements: the lease brings it back
                continue
            claimed.append(
                ClaimedReminder(
                    task_id=row["task_id"],
                    lease=lease,
                    telegram_id=owner["telegram_id"],
                    language=owner["language"],
                    timezone=owner["timezone"],
                    quiet=(owner["quiet_from"], owner["quiet_to"]),
                    task=to_task(row),
                )
            )
        return claimed

    async def end_series(self, owner: int, number: int, at: datetime) -> TaskRead | None:
        """A recurring task whose rule has ended: done for good."""
        params = {"tg_id": owner, "num": number, "at": at}
        return await self._task(_END_SERIES, params)

    async def reminder_fired(
        self, task_id: int, lease: datetime, next_at: datetime | None = None
    ) -> None:
        """The firing held under `lease` is done: next at `next_at` (None: no more)."""
        params = {"task_id": task_id, "lease": lease, "next_at": next_at}
        await self._connection.execute(_FIRED, params)

    async def all_of(self, owner: int) -> list[TaskRead]:
        """Every task the person has, by number (at most MAX_TASKS_PER_USER)."""
        return [to_task(row) for row in await self._rows(_ALL, {"tg_id": owner})]

    async def set_recurrence(
        self,
        owner: int,
        number: int,
        rule: str | None,
        due_at: datetime | None,
        due_has_time: bool,
        at: datetime,
    ) -> TaskRead | None:
        params = {
            "tg_id": owner,
            "num": number,
            "rule": rule,
            "new_due": due_at,
            "new_due_has_time": due_has_time,
            "at": at,
        }
        return await self._task(_SET_RECURRENCE, params)

    async def set_priority(
        self, owner: int, number: int, priority: int | None, at: datetime
    ) -> TaskRead | None:
        params = {"tg_id": owner, "num": number, "new_priority": priority, "at": at}
        return await self._task(_SET_PRIORITY, params)

    async def set_nag(
        self, owner: int, number: int, minutes: int | None, at: datetime
    ) -> TaskRead | None:
        params = {"tg_id": owner, "num": number, "nag": minutes, "at": at}
        return await self._task(_SET_NAG, params)

    async def stop_reminders(self, owner: int) -> None:
        await self._connection.execute(_STOP_REMINDERS, {"tg_id": owner})

    async def delete(self, owner: int, number: int) -> TaskRead | None:
        return await self._task(_DELETE, {"tg_id": owner, "num": number})

    async def page(
        self,
        owner: int,
        task_filter: TaskFilter,
        page: int,
        page_size: int,
        *,
        tag_id: int | None = None,
    ) -> tuple[int, int, list[TaskRead]] | None:
        """(open count, done count, the page's tasks); None when the person has no row.
        With `tag_id` (one of the person's tags), only the tasks with that tag."""
        params = {
            "tag_id": tag_id,
            "tg_id": owner,
            "needed": (page + 1) * page_size,
            "page_size": page_size,
            "offset": page * page_size,
        }
        rows = await self._rows(_LIST_PAGE[task_filter, tag_id is not None], params)
        if not rows:
            return None
        tasks = [to_task(row) for row in rows if row["number"] is not None]
        return rows[0]["open_count"], rows[0]["done_count"], tasks
