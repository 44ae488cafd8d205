"""The SQL of each use case, as single statements where the database allows it.

Every statement finds the person's tasks through `users.telegram_id`, never through a key
taken from the update, so an out-of-date username can't point at someone else's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import (
    Select,
    and_,
    delete,
    exists,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import Task, User
from bot.schemas import TaskFilter, TaskStatus

AnySelect: TypeAlias = Select[*tuple[Any, ...]]

TASK_COLUMNS = (
    Task.number,
    Task.title,
    Task.description,
    Task.status,
    Task.created_at,
    Task.updated_at,
    Task.done_at,
)

# Statuses in list order per filter; "done" lists newest number first.
LIST_ORDER: dict[TaskFilter, tuple[TaskStatus, ...]] = {
    TaskFilter.OPEN: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING),
    TaskFilter.DONE: (TaskStatus.DONE,),
    TaskFilter.ALL: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.DONE),
}


def owner_key(telegram_id: int) -> ColumnElement[str]:
    """The person's current key, looked up by their Telegram id inside the statement."""
    return select(User.username).where(User.telegram_id == telegram_id).scalar_subquery()


def owned_task(telegram_id: int, number: int) -> ColumnElement[bool]:
    return and_(Task.username == owner_key(telegram_id), Task.number == number)


def get_task(telegram_id: int, number: int) -> AnySelect:
    return select(*TASK_COLUMNS).where(owned_task(telegram_id, number))


def set_status(telegram_id: int, number: int, status: TaskStatus, now: datetime) -> Any:
    """Changes only a task not already in `status`, so `done_at` keeps its first moment."""
    return (
        update(Task)
        .where(owned_task(telegram_id, number), Task.status != status)
        .values(
            status=status,
            updated_at=now,
            done_at=now if status is TaskStatus.DONE else None,
        )
        .returning(*TASK_COLUMNS)
    )


def mark_done(telegram_id: int, numbers: Sequence[int], now: datetime) -> Any:
    return (
        update(Task)
        .where(
            Task.username == owner_key(telegram_id),
            Task.number.in_(numbers),
            Task.status != TaskStatus.DONE,
        )
        .values(status=TaskStatus.DONE, updated_at=now, done_at=now)
        .returning(Task.number, Task.title)
    )


def find_numbers(telegram_id: int, numbers: Sequence[int]) -> AnySelect:
    return select(Task.number, Task.title).where(
        Task.username == owner_key(telegram_id), Task.number.in_(numbers)
    )


def list_page(telegram_id: int, task_filter: TaskFilter, page: int, page_size: int) -> AnySelect:
    """One page and the person's totals in one statement, at any length of history.

    Each status is read in number order through `ix_tasks_username_status_number` and cut
    to what the page can need, so the sort never sees more than a few pages of rows.
    """
    statuses = LIST_ORDER[task_filter]
    newest_first = task_filter is TaskFilter.DONE
    needed = (page + 1) * page_size
    parts = []
    for rank, status in enumerate(statuses):
        part = (
            select(*TASK_COLUMNS, literal(rank).label("rank"))
            .where(Task.username == owner_key(telegram_id), Task.status == status)
            .order_by(Task.number.desc() if newest_first else Task.number)
            .limit(needed)
            .subquery()
        )
        parts.append(select(part))
    candidates = union_all(*parts).subquery()
    number = candidates.c.number.desc() if newest_first else candidates.c.number
    page_rows = (
        select(candidates)
        .order_by(candidates.c.rank, number)
        .limit(page_size)
        .offset(page * page_size)
        .subquery()
    )
    return (
        select(User.open_count, User.done_count, page_rows)
        .select_from(User)
        .outerjoin(page_rows, true())
        .where(User.telegram_id == telegram_id)
        .order_by(
            page_rows.c.rank, page_rows.c.number.desc() if newest_first else page_rows.c.number
        )
    )


def edit_task(telegram_id: int, number: int, values: dict[str, Any]) -> Any:
    return (
        update(Task)
        .where(owned_task(telegram_id, number))
        .values(**values)
        .returning(*TASK_COLUMNS)
    )


def delete_task(telegram_id: int, number: int) -> Any:
    return delete(Task).where(owned_task(telegram_id, number)).returning(*TASK_COLUMNS)


def add_task_postgres(
    telegram_id: int,
    values: dict[str, Any],
    *,
    chat_id: int,
    message_id: int,
    max_tasks: int,
) -> Any:
    """PostgreSQL: take the next number (row-locking the person, so concurrent adds queue)
    and insert, in one statement. Returns nothing when the person has no row yet, is at
    the cap, or this message already made a task: the caller tells those apart."""
    me = (
        update(User)
        .where(
            User.telegram_id == telegram_id,
            User.open_count + User.done_count < max_tasks,
            ~exists().where(Task.chat_id == chat_id, Task.message_id == message_id),
        )
        .values(last_task_number=User.last_task_number + 1)
        .returning(User.username, User.last_task_number)
        .cte("me")
    )
    columns = ["username", "number", *values, "chat_id", "message_id"]
    source = select(
        me.c.username,
        me.c.last_task_number,
        *(literal(value, Task.__table__.c[name].type) for name, value in values.items()),
        literal(chat_id, Task.chat_id.type),
        literal(message_id, Task.message_id.type),
    )
    return (
        postgresql.insert(Task)
        .from_select(columns, source)
        .on_conflict_do_nothing()
        .returning(*TASK_COLUMNS)
        .add_cte(me)
    )


def person_state(telegram_id: int) -> AnySelect:
    """What an add needs to know when its single statement inserted nothing."""
    return select(
        User.username, User.last_task_number, (User.open_count + User.done_count).label("tasks")
    ).where(User.telegram_id == telegram_id)


def task_from_message(telegram_id: int, chat_id: int, message_id: int) -> AnySelect:
    return select(*TASK_COLUMNS).where(
        Task.username == owner_key(telegram_id),
        Task.chat_id == chat_id,
        Task.message_id == message_id,
    )
