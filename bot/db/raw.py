"""PostgreSQL's fast lane: SQLAlchemy Core statements compiled once, run on the asyncpg
connection that a pooled SQLAlchemy connection wraps.

SQLAlchemy's async execution costs several times the round trip of a small statement
(greenlet hops, execution context, result processing: about 0.4 ms against asyncpg's
0.1 ms here). The hot use cases are single statements in autocommit mode, so they need none
of that: the statement is still written once in Core (statements.py), compiled for asyncpg
at start, and its connection still comes from, and goes back to, the engine's pool (so
DB_POOL_SIZE, DB_POOL_TIMEOUT and DB_POOL_PRE_PING apply, and `engine.dispose()` closes it).
asyncpg's own statement cache prepares each statement once per connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import await_only

from bot.db.bridge import GreenletBridge

T = TypeVar("T")

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Slot:
    """What goes into one `$n`: a caller's parameter, or a value fixed in the statement."""

    name: str
    process: Processor  # the column type's bind processing (enum to its value, UTC)
    fixed: bool
    value: Any = None


@dataclass(frozen=True)
class RawStatement:
    sql: str
    slots: tuple[Slot, ...]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for `$1...$n`; a missing parameter is a KeyError."""
        values = []
        for slot in self.slots:
            value = slot.value if slot.fixed else params[slot.name]
            if slot.process is not None and not slot.fixed:
                value = slot.process(value)
            values.append(value)
        return values

    async def fetch(
        self, connection: asyncpg.Connection, params: Mapping[str, Any]
    ) -> list[asyncpg.Record]:
        return await connection.fetch(self.sql, *self.arguments(params))  # type: ignore[no-any-return]


def compile_raw(statement: Executable, dialect: Dialect) -> RawStatement:
    """Compile for asyncpg's `$n` parameters. Values bound in the statement itself (literals,
    enum comparisons) are fixed now; the rest are named parameters of each call."""
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))
    if compiled.positiontup is None or "POSTCOMPILE" in compiled.string:
        raise ValueError("needs a positional dialect and no expanding parameters")
    # Tuple types (a Sequence of processors) never appear in our statements.
    processors = cast(Mapping[str, Processor], compiled._bind_processors)
    fixed_values = compiled.params  # what the statement binds itself, by name
    slots = []
    for name in dict.fromkeys(compiled.positiontup):  # `$n` reused for a repeated name
        process = processors.get(name)
        if compiled.binds[name].required:
            slots.append(Slot(name, process, fixed=False))
        else:
            value = fixed_values[name]
            slots.append(
                Slot(name, process, fixed=True, value=process(value) if process else value)
            )
    _check_numbering(compiled.string, len(slots))
    return RawStatement(compiled.string, tuple(slots))


def _check_numbering(sql: str, count: int) -> None:
    """Each distinct name is one `$n`, numbered in order of first use (SQLAlchemy's
    numeric_dollar style); anything else would silently misplace arguments."""
    if f"${count + 1}" in sql or (count and f"${count}" not in sql):
        raise ValueError(f"unexpected parameter numbering in {sql!r}")


class RawConnections:
    """asyncpg connections lent by the engine's pool, for statements that are one round trip.

    Nothing here opens a transaction, so each statement commits by itself. A connection
    that broke under a statement is invalidated, so the pool never lends it again.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._pool = engine.sync_engine.pool
        self._bridge = GreenletBridge()

    async def run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`work`'s result, awaited with a connection lent by the pool for as long as it runs."""
        # The pool is synchronous code that may await (to connect, to pre-ping, to close a
        # broken or surplus connection) through SQLAlchemy's greenlet bridge. One trip lends
        # the connection, awaits `work` (which runs in the caller's task, as any coroutine)
        # and takes the connection back; the bridge's greenlets are reused (bridge.py).
        return await self._bridge.run(self._lend, work)

    def _lend(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        fairy = self._pool.connect()
        try:
            return await_only(work(fairy.driver_connection))
        except BaseException as error:
            if _breaks_connection(error, fairy.driver_connection):
                fairy.invalidate(error)
            raise
        finally:
            fairy.close()


def _breaks_connection(error: BaseException, connection: Any) -> bool:
    """An error the server reported leaves the connection usable; anything else (a dropped
    socket, a cancelled query in mid-protocol) may not."""
    if connection is None or connection.is_closed():
        return True
    if isinstance(error, asyncpg.PostgresConnectionError | asyncpg.OperatorInterventionError):
        return True
    return not isinstance(error, asyncpg.PostgresError)
