"""The task service: the only way in to the data.

Each use case is one short unit of work. On PostgreSQL a single-statement use case runs in
autocommit mode: the statement is atomic by itself, and skipping BEGIN/COMMIT makes it one
round trip. It runs on the pooled connection's asyncpg driver directly (bot.db.raw), which
costs a fraction of SQLAlchemy's execution. SQLite is local, so it simply gets a transaction
(BEGIN IMMEDIATE, see db.engine). Both run the same Core statements (statements.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, Protocol, TypeVar

import asyncpg
from sqlalchemy import Executable, String, cast, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.models import User
from bot.db.raw import RawConnections, RawStatement, compile_raw
from bot.schemas import (
    AddResult,
    DoneOutcome,
    DoneReport,
    Person,
    TaskFilter,
    TaskPage,
    TaskRead,
    TaskStatus,
    UserRead,
)
from bot.services import statements as sql
from bot.services.errors import StorageUnavailable, TaskLimitReached, TaskNotFound
from bot.services.text import parse_task_text

log = logging.getLogger(__name__)

BIGINT_MAX = 2**63 - 1
DEFAULT_PAGE_SIZE = 10
DEFAULT_MAX_TASKS = 10_000
# People whose row is known to match what Telegram says of them: their updates skip the
# sync statement. Bounded, so memory does not grow with the number of people.
SYNCED_CACHE_SIZE = 10_000
RETRY_DELAY = 0.3

T = TypeVar("T")
# A result row by column name: asyncpg's Record or SQLAlchemy's RowMapping.
AnyRow = Mapping[Any, Any]


def is_valid_number(number: int) -> bool:
    return 0 < number <= BIGINT_MAX


_CONNECTION_ERRORS = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # connect timeout
    PoolTimeout,  # every pooled connection busy or broken
    asyncpg.exceptions.PostgresConnectionError,  # includes "connection does not exist"
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.InterfaceError,  # connection closed under us
)
# SQLite is a file: these mean it can't be used right now, not that a query is wrong.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def is_connection_error(error: BaseException) -> bool:
    """The database is unreachable or dropped the connection (as opposed to a bad query)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _CONNECTION_ERRORS):
            return True
        if isinstance(seen, sqlite3.OperationalError):
            return any(marker in str(seen).lower() for marker in _SQLITE_UNAVAILABLE)
        seen = seen.__cause__ or seen.__context__
    return False


class _Statements(Protocol):
    """One connection, lent for single statements that each commit by themselves."""

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[AnyRow]:
        """Run the statement; its rows by column name."""


class _Postgres:
    """On asyncpg directly, each statement compiled the first time it is used."""

    def __init__(self, connection: Any, compiled: dict[int, RawStatement], dialect: Any) -> None:
        self._connection = connection
        self._compiled = compiled
        self._dialect = dialect

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[AnyRow]:
        # Keyed by identity: the statements are statements.py's constants, so this holds
        # a fixed handful.
        raw = self._compiled.get(id(statement))
        if raw is None:
            raw = self._compiled[id(statement)] = compile_raw(statement, self._dialect)
        return await raw.fetch(self._connection, params)


class _Core:
    """Through SQLAlchemy (SQLite)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[AnyRow]:
        return (await self._connection.execute(statement, params)).mappings().all()


def _first(rows: Sequence[AnyRow]) -> AnyRow | None:
    return rows[0] if rows else None


class TaskService:
    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_tasks: int = DEFAULT_MAX_TASKS,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        self._session_maker = session_maker
        engine: AsyncEngine = session_maker.kw["bind"]
        self._postgres = engine.dialect.name == "postgresql"
        self._engine = engine
        self._raw = RawConnections(engine) if self._postgres else None
        self._compiled: dict[int, RawStatement] = {}
        self.page_size = page_size
        self.max_tasks = max_tasks
        self._retry_delay = retry_delay
        self._synced: OrderedDict[int, tuple[str, str | None]] = OrderedDict()
        # SQLite has one writer at a time and every unit of work here takes the write lock
        # (BEGIN IMMEDIATE). Queueing for it in-process is fair and immediate, where waiting
        # in SQLite's busy handler means sleeping and polling (p99 near a second at 10
        # concurrent updates). Other processes on the same file still wait in the handler.
        self._sqlite_turn: AbstractAsyncContextManager[Any] = (
            nullcontext() if self._postgres else asyncio.Lock()
        )

    # -- plumbing -----------------------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._sqlite_turn, self._session_maker() as session, session.begin():
            yield session

    async def _statements(self, work: Callable[[_Statements], Awaitable[T]]) -> T:
        """`work` with a connection for the statements of a use case that needs no
        transaction (see the module docstring). Keep `work` to the statements: on PostgreSQL
        any other error it raises closes the connection, which may be mid-protocol."""
        if self._raw is not None:
            return await self._raw.run(
                lambda connection: work(_Postgres(connection, self._compiled, self._engine.dialect))
            )
        async with self._sqlite_turn, self._engine.begin() as connection:
            return await work(_Core(connection))

    async def _rows(self, statement: Executable, params: Mapping[str, Any]) -> Sequence[AnyRow]:
        """A use case that is one statement: its rows."""
        return await self._statements(lambda connection: connection.rows(statement, params))

    async def _resilient(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Retry once when the connection dropped (a pooled connection may be stale after a
        database restart); after that, tell the person nothing was saved."""
        for attempt in (1, 2):
            try:
                return await operation()
            except Exception as error:
                if not is_connection_error(error):
                    raise
                if attempt == 2:
                    raise StorageUnavailable() from error
                log.warning("database connection failed (%s); retrying once", type(error).__name__)
                await asyncio.sleep(self._retry_delay)
        raise AssertionError("unreachable")

    # -- people -------------------------------------------------------------------------------

    async def sync_user(self, person: Person) -> UserRead:
        """Register the person or bring their row up to date (/start calls this)."""

        async def sync() -> UserRead:
            async with self._transaction() as session:
                await _sync(session, person)
                user = (
                    await session.scalars(
                        select(User).where(User.telegram_id == person.telegram_id)
                    )
                ).one()
                read = user.to_read_model()
            self._remember(person)
            return read

        return await self._resilient(sync)

    async def _ensure_synced(self, person: Person) -> None:
        if self._synced.get(person.telegram_id) == (person.key, person.language):
            self._synced.move_to_end(person.telegram_id)
            return
        await self.sync_user(person)

    def _remember(self, person: Person) -> None:
        self._synced[person.telegram_id] = (person.key, person.language)
        self._synced.move_to_end(person.telegram_id)
        while len(self._synced) > SYNCED_CACHE_SIZE:
            self._synced.popitem(last=False)

    def _forget(self, person: Person) -> None:
        self._synced.pop(person.telegram_id, None)

    # -- tasks --------------------------------------------------------------------------------

    async def add_task(
        self, person: Person, text: str, *, chat_id: int, message_id: int
    ) -> AddResult:
        """Create a task from a message; the same message never makes two tasks."""
        parsed = parse_task_text(text)
        params: dict[str, Any] = {
            "tg_id": person.telegram_id,
            "src_chat": chat_id,
            "src_message": message_id,
            "new_title": parsed.title,
            "new_description": parsed.description,
            "new_status": TaskStatus.PENDING,
            "at": utcnow(),
        }

        async def add() -> AddResult:
            await self._ensure_synced(person)
            if self._postgres:
                row = _first(
                    await self._rows(sql.ADD_TASK_POSTGRES, {**params, "cap": self.max_tasks})
                )
                if row is not None:
                    return AddResult(task=_task(row), created=True)
            return await self._add_slowly(person, params)

        return await self._resilient(add)

    async def _add_slowly(self, person: Person, params: dict[str, Any]) -> AddResult:
        """The general add, in a transaction: SQLite's way, and PostgreSQL's when its single
        statement inserted nothing (a first message, the cap, or a re-delivered update)."""
        try:
            async with self._transaction() as session:
                existing = (await session.execute(sql.TASK_FROM_MESSAGE, params)).mappings().first()
                if existing is not None:
                    return AddResult(task=_task(existing), created=False)
                state = (await session.execute(sql.PERSON_STATE, params)).first()
                if state is None:  # the row went away behind our cache: make it again
                    await _sync(session, person)
                    state = (await session.execute(sql.PERSON_STATE, params)).one()
                if state.tasks >= self.max_tasks:
                    raise TaskLimitReached(self.max_tasks)
                await session.execute(sql.BUMP_NUMBER, params)
                number = {"owner": state.username, "num": state.last_task_number + 1}
                row = (
                    (await session.execute(sql.INSERT_TASK, {**params, **number})).mappings().one()
                )
            self._remember(person)
            return AddResult(task=_task(row), created=True)
        except IntegrityError:
            # The same message, delivered twice at once: the other delivery made the task.
            async with self._transaction() as session:
                existing = (await session.execute(sql.TASK_FROM_MESSAGE, params)).mappings().first()
            if existing is None:
                raise
            return AddResult(task=_task(existing), created=False)

    async def list_tasks(
        self, person: Person, task_filter: TaskFilter = TaskFilter.OPEN, page: int = 0
    ) -> TaskPage:
        page = max(page, 0)

        async def read(page: int) -> list[AnyRow]:
            params = {
                "tg_id": person.telegram_id,
                "needed": (page + 1) * self.page_size,
                "page_size": self.page_size,
                "offset": page * self.page_size,
            }
            return list(await self._rows(sql.LIST_PAGE[task_filter], params))

        async def list_() -> TaskPage:
            await self._ensure_synced(person)
            rows = await read(page)
            if not rows:  # no row for this person (any more): sync them next time
                self._forget(person)
                return self._page(task_filter, 0, [], 0, 0)
            open_count, done_count = rows[0]["open_count"], rows[0]["done_count"]
            total = _total(task_filter, open_count, done_count)
            last_page = max(0, -(-total // self.page_size) - 1)
            current = page
            if page > last_page:  # the list shrank since its buttons were made
                current = last_page
                rows = await read(current)
            tasks = [row for row in rows if row["number"] is not None]
            return self._page(task_filter, current, tasks, open_count, done_count)

        return await self._resilient(list_)

    def _page(
        self,
        task_filter: TaskFilter,
        page: int,
        rows: list[AnyRow],
        open_count: int,
        done_count: int,
    ) -> TaskPage:
        return TaskPage(
            items=tuple(_task(row) for row in rows),
            filter=task_filter,
            page=page,
            page_size=self.page_size,
            total=_total(task_filter, open_count, done_count),
            open_count=open_count,
            done_count=done_count,
        )

    async def get_task(self, person: Person, number: int) -> TaskRead:
        _check_number(number)
        return await self._one_task(person, number, (sql.GET_TASK, _owned(person, number)))

    async def set_status(self, person: Person, number: int, status: TaskStatus) -> TaskRead:
        """Move a task to any status; `done_at` follows entering and leaving `done`."""
        _check_number(number)
        now = utcnow()
        params = {
            **_owned(person, number),
            "new_status": status,
            "at": now,
            "done_time": now if status is TaskStatus.DONE else None,
        }
        # Nothing updated: already in that status (then read it as it is), or not theirs.
        return await self._one_task(
            person, number, (sql.SET_STATUS, params), (sql.GET_TASK, params)
        )

    async def mark_done(self, person: Person, numbers: Iterable[int]) -> list[DoneReport]:
        """Mark several tasks done; one report per distinct number, in the order given."""
        wanted = list(dict.fromkeys(numbers))
        valid = [number for number in wanted if is_valid_number(number)]

        async def close(connection: _Statements) -> tuple[dict[int, str], dict[int, str]]:
            """{number: title} of the tasks it closed, and of the others it found."""
            params = {"tg_id": person.telegram_id, "nums": valid, "at": utcnow()}
            rows = await connection.rows(sql.MARK_DONE[self._postgres], params)
            closed = {row["number"]: row["title"] for row in rows}
            others: dict[int, str] = {}
            if len(closed) < len(valid):  # some were done already, or are not there
                rest = [number for number in valid if number not in closed]
                rows = await connection.rows(
                    sql.FIND_NUMBERS[self._postgres], {**params, "nums": rest}
                )
                others = {row["number"]: row["title"] for row in rows}
            return closed, others

        async def mark() -> list[DoneReport]:
            await self._ensure_synced(person)
            closed, others = await self._statements(close) if valid else ({}, {})
            return [_report(number, closed, others) for number in wanted]

        return await self._resilient(mark)

    async def edit_task(self, person: Person, number: int, text: str) -> TaskRead:
        """New title from the first line; further lines, if any, replace the description."""
        _check_number(number)
        parsed = parse_task_text(text)
        params = {**_owned(person, number), "new_title": parsed.title, "at": utcnow()}
        statement = sql.EDIT_TITLE
        if parsed.description is not None:
            params["new_description"] = parsed.description
            statement = sql.EDIT_WITH_DESCRIPTION
        return await self._one_task(person, number, (statement, params))

    async def delete_task(self, person: Person, number: int) -> TaskRead:
        """Delete a task for good; its number is never handed out again."""
        _check_number(number)
        return await self._one_task(person, number, (sql.DELETE_TASK, _owned(person, number)))

    async def _one_task(
        self, person: Person, number: int, *steps: tuple[Executable, Mapping[str, Any]]
    ) -> TaskRead:
        """A use case about one of the person's tasks: the first statement of `steps` that
        returns a row gives the task (the rest are not run); none does: TaskNotFound."""

        async def first_row(connection: _Statements) -> AnyRow | None:
            for statement, params in steps:
                row = _first(await connection.rows(statement, params))
                if row is not None:
                    return row
            return None

        async def run() -> TaskRead:
            await self._ensure_synced(person)
            row = await self._statements(first_row)
            if row is None:
                raise TaskNotFound(number)
            return _task(row)

        return await self._resilient(run)


async def _sync(session: AsyncSession, person: Person) -> None:
    """Make the person's row match Telegram's view of them.

    A rename moves the row; the foreign key's ON UPDATE CASCADE carries the tasks along.
    """
    key = person.key
    row = (
        await session.execute(
            select(User.username, User.language).where(User.telegram_id == person.telegram_id)
        )
    ).first()
    if row is not None and row.username == key and row.language == person.language:
        return
    if row is None or row.username != key:
        # Whoever still holds this username renamed away without writing since: move them
        # to their fallback key first. A `#id` key can only ever be its owner's.
        await session.execute(
            update(User)
            .where(User.username == key, User.telegram_id != person.telegram_id)
            .values(username=literal("#").concat(cast(User.telegram_id, String)))
        )
    if row is None:
        await session.execute(
            _insert(session)(User)
            .values(username=key, telegram_id=person.telegram_id, language=person.language)
            .on_conflict_do_nothing()
        )
        # A concurrent first update from this person may have inserted first; fall through
        # to the update so the row ends up right either way.
    await session.execute(
        update(User)
        .where(User.telegram_id == person.telegram_id)
        .values(username=key, language=person.language, updated_at=utcnow())
    )


def _task(row: AnyRow) -> TaskRead:
    # Validating is also the fast way here: pydantic 2.13's model_construct, which fills in
    # defaults field by field, measured slower than validating these few plain values.
    return TaskRead(
        number=row["number"],
        title=row["title"],
        description=row["description"],
        status=row["status"],  # asyncpg gives the stored string; validation makes it the enum
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        done_at=row["done_at"],
    )


def _total(task_filter: TaskFilter, open_count: int, done_count: int) -> int:
    if task_filter is TaskFilter.OPEN:
        return open_count
    if task_filter is TaskFilter.DONE:
        return done_count
    return open_count + done_count


def _owned(person: Person, number: int) -> dict[str, Any]:
    return {"tg_id": person.telegram_id, "num": number}


def _report(number: int, closed: dict[int, str], others: dict[int, str]) -> DoneReport:
    if number in closed:
        return DoneReport(number=number, outcome=DoneOutcome.DONE, title=closed[number])
    if number in others:
        return DoneReport(number=number, outcome=DoneOutcome.ALREADY_DONE, title=others[number])
    return DoneReport(number=number, outcome=DoneOutcome.NOT_FOUND)


def _check_number(number: int) -> None:
    if not is_valid_number(number):
        raise TaskNotFound(number)


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT on both of our backends."""
    bind = session.get_bind()
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
