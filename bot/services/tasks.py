"""The task service: the only way in to the data. One short transaction per use case."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Select, String, case, cast, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.models import Task, User
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
from bot.services.errors import TaskNotFound
from bot.services.text import parse_task_text

BIGINT_MAX = 2**63 - 1
DEFAULT_PAGE_SIZE = 10

_FILTER_STATUSES: dict[TaskFilter, tuple[TaskStatus, ...]] = {
    TaskFilter.OPEN: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING),
    TaskFilter.DONE: (TaskStatus.DONE,),
    TaskFilter.ALL: (TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.DONE),
}


def is_valid_number(number: int) -> bool:
    return 0 < number <= BIGINT_MAX


class TaskService:
    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        self._session_maker = session_maker
        self.page_size = page_size

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._session_maker() as session, session.begin():
            yield session

    # -- people -------------------------------------------------------------------------------

    async def sync_user(self, person: Person) -> UserRead:
        """Register the person or bring their row up to date (/start calls this)."""
        async with self._transaction() as session:
            await self._sync(session, person)
            user = (
                await session.scalars(select(User).where(User.telegram_id == person.telegram_id))
            ).one()
            return user.to_read_model()

    async def _sync(self, session: AsyncSession, person: Person) -> str:
        """Make the person's row match Telegram's view of them; return their key.

        The common case (nothing changed) is one SELECT. A rename moves the row and the
        foreign key's ON UPDATE CASCADE carries the tasks along.
        """
        key = person.key
        row = (
            await session.execute(
                select(User.username, User.language).where(User.telegram_id == person.telegram_id)
            )
        ).first()
        if row is not None and row.username == key and row.language == person.language:
            return key
        if row is None or row.username != key:
            # Whoever still holds this username renamed away without writing since: move
            # them to their fallback key first. A `#id` key can only ever be its owner's.
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
        return key

    # -- tasks --------------------------------------------------------------------------------

    async def add_task(
        self, person: Person, text: str, *, chat_id: int, message_id: int
    ) -> AddResult:
        """Create a task from a message; the same message never makes two tasks."""
        parsed = parse_task_text(text)
        try:
            async with self._transaction() as session:
                key = await self._sync(session, person)
                number = await session.scalar(
                    update(User)
                    .where(User.username == key)
                    .values(last_task_number=User.last_task_number + 1)
                    .returning(User.last_task_number)
                )
                now = utcnow()
                task: Task = (
                    await session.scalars(
                        _insert(session)(Task)
                        .values(
                            username=key,
                            number=number,
                            title=parsed.title,
                            description=parsed.description,
                            status=TaskStatus.PENDING,
                            created_at=now,
                            updated_at=now,
                            chat_id=chat_id,
                            message_id=message_id,
                        )
                        .returning(Task)
                    )
                ).one()
                return AddResult(task=task.to_read_model(), created=True)
        except IntegrityError:
            # Most likely a re-delivered update: hand back what that message made before.
            async with self._transaction() as session:
                existing = await session.scalar(
                    _owned_by(person, select(Task)).where(
                        Task.chat_id == chat_id, Task.message_id == message_id
                    )
                )
            if existing is None:
                raise
            return AddResult(task=existing.to_read_model(), created=False)

    async def list_tasks(
        self, person: Person, task_filter: TaskFilter = TaskFilter.OPEN, page: int = 0
    ) -> TaskPage:
        statuses = _FILTER_STATUSES[task_filter]
        async with self._transaction() as session:
            key = await self._sync(session, person)
            status_counts = await session.execute(
                select(Task.status, func.count()).where(Task.username == key).group_by(Task.status)
            )
            counts: dict[TaskStatus, int] = {status: count for status, count in status_counts}
            total = sum(counts.get(status, 0) for status in statuses)
            pages = max(1, -(-total // self.page_size))
            page = min(max(page, 0), pages - 1)
            rows = await session.scalars(
                select(Task)
                .where(Task.username == key, Task.status.in_(statuses))
                .order_by(*_list_order(task_filter))
                .limit(self.page_size)
                .offset(page * self.page_size)
            )
            return TaskPage(
                items=tuple(task.to_read_model() for task in rows),
                filter=task_filter,
                page=page,
                page_size=self.page_size,
                total=total,
                open_count=counts.get(TaskStatus.PENDING, 0)
                + counts.get(TaskStatus.IN_PROGRESS, 0),
                done_count=counts.get(TaskStatus.DONE, 0),
            )

    async def get_task(self, person: Person, number: int) -> TaskRead:
        _check_number(number)
        async with self._transaction() as session:
            key = await self._sync(session, person)
            task = await session.scalar(
                select(Task).where(Task.username == key, Task.number == number)
            )
            if task is None:
                raise TaskNotFound(number)
            return task.to_read_model()

    async def set_status(self, person: Person, number: int, status: TaskStatus) -> TaskRead:
        """Move a task to any status; `done_at` follows entering and leaving `done`."""
        _check_number(number)
        async with self._transaction() as session:
            key = await self._sync(session, person)
            now = utcnow()
            task: Task | None = await session.scalar(
                update(Task)
                .where(Task.username == key, Task.number == number, Task.status != status)
                .values(
                    status=status,
                    updated_at=now,
                    done_at=now if status is TaskStatus.DONE else None,
                )
                .returning(Task)
            )
            if task is None:  # already in that status, or not this person's task
                task = await session.scalar(
                    select(Task).where(Task.username == key, Task.number == number)
                )
            if task is None:
                raise TaskNotFound(number)
            return task.to_read_model()

    async def mark_done(self, person: Person, numbers: Iterable[int]) -> list[DoneReport]:
        """Mark several tasks done; one report per distinct number, in the order given."""
        wanted = list(dict.fromkeys(numbers))
        valid = [number for number in wanted if is_valid_number(number)]
        async with self._transaction() as session:
            key = await self._sync(session, person)
            found: dict[int, Task] = {}
            if valid:
                found = {
                    task.number: task
                    for task in await session.scalars(
                        select(Task).where(Task.username == key, Task.number.in_(valid))
                    )
                }
            to_close = [n for n, task in found.items() if task.status is not TaskStatus.DONE]
            if to_close:
                now = utcnow()
                await session.execute(
                    update(Task)
                    .where(Task.username == key, Task.number.in_(to_close))
                    .values(status=TaskStatus.DONE, updated_at=now, done_at=now)
                )
            reports = []
            for number in wanted:
                task = found.get(number)
                if task is None:
                    reports.append(DoneReport(number=number, outcome=DoneOutcome.NOT_FOUND))
                    continue
                outcome = DoneOutcome.DONE if number in to_close else DoneOutcome.ALREADY_DONE
                reports.append(DoneReport(number=number, outcome=outcome, title=task.title))
            return reports

    async def edit_task(self, person: Person, number: int, text: str) -> TaskRead:
        """New title from the first line; further lines, if any, replace the description."""
        _check_number(number)
        parsed = parse_task_text(text)
        values: dict[str, Any] = {"title": parsed.title, "updated_at": utcnow()}
        if parsed.description is not None:
            values["description"] = parsed.description
        async with self._transaction() as session:
            key = await self._sync(session, person)
            task: Task | None = await session.scalar(
                update(Task)
                .where(Task.username == key, Task.number == number)
                .values(**values)
                .returning(Task)
            )
            if task is None:
                raise TaskNotFound(number)
            return task.to_read_model()

    async def delete_task(self, person: Person, number: int) -> TaskRead:
        """Delete a task for good; its number is never handed out again."""
        _check_number(number)
        async with self._transaction() as session:
            key = await self._sync(session, person)
            task: Task | None = await session.scalar(
                delete(Task).where(Task.username == key, Task.number == number).returning(Task)
            )
            if task is None:
                raise TaskNotFound(number)
            return task.to_read_model()


def _check_number(number: int) -> None:
    if not is_valid_number(number):
        raise TaskNotFound(number)


def _owned_by(person: Person, query: Select[Task]) -> Select[Task]:
    return query.join(User, User.username == Task.username).where(
        User.telegram_id == person.telegram_id
    )


def _list_order(task_filter: TaskFilter) -> Sequence[Any]:
    if task_filter is TaskFilter.DONE:
        return (Task.number.desc(),)
    # In progress first, then to do, then done; by number within each.
    rank = case(
        (Task.status == TaskStatus.IN_PROGRESS, 0),
        (Task.status == TaskStatus.PENDING, 1),
        else_=2,
    )
    return (rank, Task.number)


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT on both of our backends."""
    bind = session.get_bind()
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
