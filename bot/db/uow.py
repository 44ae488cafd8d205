"""Units of work: one per use case, on the session maker's engine, committed once.

`transaction()` wraps the use case in BEGIN ... COMMIT (rolled back on any error).
`autocommit()` is for a use case whose statements are each atomic by themselves: on
PostgreSQL no BEGIN or COMMIT is sent, so a one-statement use case is one round trip. SQLite
is a local file, so it gets a transaction either way (BEGIN IMMEDIATE, see engine.py).

SQLite has one writer at a time, and every unit of work here may write. Queueing for it
in-process is fair and immediate, where waiting in SQLite's busy handler means sleeping and
polling (p99 near a second at 10 concurrent updates). Other processes on the same file
still wait in the busy handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from bot.db.repositories import SearchRepository, TagRepository, TaskRepository, UserRepository

_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class UnitOfWork:
    """The repositories of one use case, sharing its connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.users = UserRepository(connection)
        self.tasks = TaskRepository(connection)
        self.tags = TagRepository(connection)
        self.search = SearchRepository(connection)


class UnitsOfWork:
    def __init__(self, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self._session_maker = session_maker
        self._sqlite_writer = asyncio.Lock()

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._open(autocommit=False)

    def autocommit(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._open(autocommit=True)

    @asynccontextmanager
    async def _open(self, *, autocommit: bool) -> AsyncIterator[UnitOfWork]:
        async with self._session_maker() as session:
            sqlite = session.get_bind().dialect.name == "sqlite"
            turn: AbstractAsyncContextManager[Any] = (
                self._sqlite_writer if sqlite else nullcontext()
            )
            async with turn:
                options = _AUTOCOMMIT if autocommit and not sqlite else None
                connection = await session.connection(execution_options=options)
                yield UnitOfWork(connection)
                await session.commit()
