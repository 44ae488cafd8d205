"""The SQL of each use case, built once at import with bound parameters.

Parameter names never equal a column name: SQLAlchemy would read such a key, passed to an
UPDATE or INSERT, as a value to set.

Building a statement costs more Python than executing it, so every use case reuses one of
these (SQLAlchemy then reuses its compiled form, and asyncpg its prepared statement).

Every statement finds the person's tasks through `users.telegram_id`, never through a key
taken from the update, so an out-of-date username can't point at someone else's row.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    insert,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql

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

# Statuses in list order per filter; "done" lists the newest number first.
LIST_ORDER: dict[TaskFilter, tuple[TaskStatus, ...]] = {
    TaskFilter.OPEN: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING),
    TaskFilter.DONE: (TaskStatus.DONE,),
    TaskFilter.ALL: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.DONE),
}

# The person's current key, looked up by Telegram id inside each statement.
OWNER_KEY = select(User.username).where(User.telegram_id == bindparam("tg_id")).scalar_subquery()
OWNED_TASK = and_(Task.username == OWNER_KEY, Task.number == bindparam("num"))

GET_TASK: AnySelect = select(*TASK_COLUMNS).where(OWNED_TASK)

# Changes only a task not already in the status, so `done_at` keeps its first moment.
# Parameters: tg_id, num, new_status, at, done_time (`at` when entering done, else None).
SET_STATUS = (
    update(Task)
    .where(OWNED_TASK, Task.status != bindparam("new_status"))
    .values(
        status=bindparam("new_status"), updated_at=bindparam("at"), done_at=bindparam("done_time")
    )
    .returning(*TASK_COLUMNS)
)


def _numbers_in(postgres: bool) -> ColumnElement[bool]:
    """`number IN (:nums)`: SQLite expands the list into one parameter per number; on
    PostgreSQL it is one array parameter, so the statement's text never changes."""
    if postgres:
        return Task.number == any_(bindparam("nums", type_=postgresql.ARRAY(BigInteger)))
    return Task.number.in_(bindparam("nums", expanding=True))


def _mark_done(postgres: bool) -> Any:
    return (
        update(Task)
        .where(Task.username == OWNER_KEY, _numbers_in(postgres), Task.status != TaskStatus.DONE)
        .values(status=TaskStatus.DONE, updated_at=bindparam("at"), done_at=bindparam("at"))
        .returning(Task.number, Task.title)
    )


def _find_numbers(postgres: bool) -> AnySelect:
    return select(Task.number, Task.title).where(Task.username == OWNER_KEY, _numbers_in(postgres))


# Parameters: tg_id, nums (a list), at. Per backend: {postgres?: statement}.
MARK_DONE = {postgres: _mark_done(postgres) for postgres in (False, True)}
FIND_NUMBERS = {postgres: _find_numbers(postgres) for postgres in (False, True)}

# Parameters: tg_id, num, new_title, at (and new_description for EDIT_WITH_DESCRIPTION).
EDIT_TITLE = (
    update(Task)
    .where(OWNED_TASK)
    .values(title=bindparam("new_title"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)
EDIT_WITH_DESCRIPTION = (
    update(Task)
    .where(OWNED_TASK)
    .values(
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        updated_at=bindparam("at"),
    )
    .returning(*TASK_COLUMNS)
)

DELETE_TASK = delete(Task).where(OWNED_TASK).returning(*TASK_COLUMNS)


def _list_page(task_filter: TaskFilter) -> AnySelect:
    """One page and the person's totals in one statement, at any length of history.

    Each status is read in number order through `ix_tasks_username_status_number` and cut
    to what the page can need (`needed` = offset + page size), so the final sort never sees
    more than a few pages of rows. Parameters: tg_id, needed, page_size, offset.
    """
    newest_first = task_filter is TaskFilter.DONE
    parts = []
    for rank, status in enumerate(LIST_ORDER[task_filter]):
        part = (
            select(*TASK_COLUMNS, literal(rank).label("rank"))
            .where(Task.username == OWNER_KEY, Task.status == status)
            .order_by(Task.number.desc() if newest_first else Task.number)
            .limit(bindparam("needed"))
            .subquery()
        )
        parts.append(select(part))
    candidates = union_all(*parts).subquery()
    page = (
        select(candidates)
        .order_by(
            candidates.c.rank,
            candidates.c.number.desc() if newest_first else candidates.c.number,
        )
        .limit(bindparam("page_size"))
        .offset(bindparam("offset"))
        .subquery()
    )
    return (
        select(User.open_count, User.done_count, page)
        .select_from(User)
        .outerjoin(page, true())
        .where(User.telegram_id == bindparam("tg_id"))
        .order_by(page.c.rank, page.c.number.desc() if newest_first else page.c.number)
    )


LIST_PAGE: dict[TaskFilter, AnySelect] = {
    task_filter: _list_page(task_filter) for task_filter in TaskFilter
}

# PostgreSQL's add, in one statement: take the next number (row-locking the person, so
# concurrent adds queue) and insert. It inserts nothing when the person has no row yet, is
# at the cap, or this message already made a task; the caller tells those apart.
# Parameters: tg_id, cap, src_chat, src_message, new_title, new_description, new_status, at.
_NEXT_NUMBER = (
    update(User)
    .where(
        User.telegram_id == bindparam("tg_id"),
        User.open_count + User.done_count < bindparam("cap"),
        ~exists().where(
            Task.chat_id == bindparam("src_chat"), Task.message_id == bindparam("src_message")
        ),
    )
    # updated_at is set here, not by the column's onupdate: statements that run on asyncpg
    # directly (bot.db.raw) get no values computed by SQLAlchemy at execution.
    .values(last_task_number=User.last_task_number + 1, updated_at=bindparam("at"))
    .returning(User.username, User.last_task_number)
    .cte("next_number")
)
ADD_TASK_POSTGRES = (
    postgresql.insert(Task)
    .from_select(
        [
            "username",
            "number",
            "title",
            "description",
            "status",
            "created_at",
            "updated_at",
            "chat_id",
            "message_id",
        ],
        select(
            _NEXT_NUMBER.c.username,
            _NEXT_NUMBER.c.last_task_number,
            bindparam("new_title", type_=Task.title.type),
            bindparam("new_description", type_=Task.description.type),
            bindparam("new_status", type_=Task.status.type),
            bindparam("at", type_=Task.created_at.type),
            bindparam("at", type_=Task.updated_at.type),
            bindparam("src_chat", type_=Task.chat_id.type),
            bindparam("src_message", type_=Task.message_id.type),
        ),
    )
    .on_conflict_do_nothing()
    .returning(*TASK_COLUMNS)
    .add_cte(_NEXT_NUMBER)
)

# What an add needs to know when the single statement inserted nothing.
PERSON_STATE: AnySelect = select(
    User.username, User.last_task_number, (User.open_count + User.done_count).label("tasks")
).where(User.telegram_id == bindparam("tg_id"))

# Parameters: tg_id, src_chat, src_message.
TASK_FROM_MESSAGE: AnySelect = select(*TASK_COLUMNS).where(
    Task.username == OWNER_KEY,
    Task.chat_id == bindparam("src_chat"),
    Task.message_id == bindparam("src_message"),
)

# The general add (SQLite's way; PostgreSQL's after ADD_TASK_POSTGRES inserted nothing),
# run in a transaction after PERSON_STATE. Parameters: tg_id; then owner, num, new_title,
# new_description, new_status, at, src_chat, src_message.
BUMP_NUMBER = (
    update(User)
    .where(User.telegram_id == bindparam("tg_id"))
    .values(last_task_number=User.last_task_number + 1)
)
INSERT_TASK = (
    insert(Task)
    .values(
        username=bindparam("owner"),
        number=bindparam("num"),
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        status=bindparam("new_status"),
        created_at=bindparam("at"),
        updated_at=bindparam("at"),
        chat_id=bindparam("src_chat"),
        message_id=bindparam("src_message"),
    )
    .returning(*TASK_COLUMNS)
)
