"""Counts what an engine sends to its database, so a use case's round trips can be checked.

    counter = RoundTripCounter(engine)
    with counter:
        await service.add_task(...)
    assert counter.total <= 8, counter.counts()

Import-light on purpose (SQLAlchemy only): the test suite reuses it.

What counts as one round trip on PostgreSQL (asyncpg):

- every statement (`before_cursor_execute`): prepared statements are cached per connection,
  so after warm-up each one is a single Bind/Execute/Sync exchange;
- every statement run on the asyncpg connection directly, as the task service's hot use
  cases do (bot.db.raw): no engine event sees those, so the counter adds a query logger to
  each asyncpg connection the pool lends while it counts. asyncpg logs SQLAlchemy's BEGIN,
  COMMIT and ROLLBACK and the pre-ping's `;` there too; those are counted by the events
  below instead, so the logger skips them. asyncpg calls loggers soon after the statement,
  not during it: let the event loop run once (`await asyncio.sleep(0)`) before reading;
- BEGIN (the `begin` event): asyncpg sends it when the transaction's first statement runs;
- COMMIT and ROLLBACK (the `commit` and `rollback` events);
- but no BEGIN, COMMIT or ROLLBACK on an AUTOCOMMIT connection: SQLAlchemy still fires the
  events there, while the driver sends nothing;
- the pool's pre-ping on checkout (`pool_pre_ping=True`), which no engine event reports:
  SQLAlchemy's asyncpg dialect wraps it in its own transaction (BEGIN, `;`, ROLLBACK), so
  one ping is three round trips there. A connection's first checkout is not pinged.

On SQLite nothing crosses a network; the same counts are calls into the driver (and our
engine's `begin` hook runs `BEGIN IMMEDIATE` as a statement, so a transaction shows as a
begin *and* a statement).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["RoundTripCounter", "RoundTrips"]

# SQLAlchemy's asyncpg ping is BEGIN, ";" and ROLLBACK (sqlalchemy/dialects/postgresql/asyncpg.py).
_ROUND_TRIPS_PER_PING = {"asyncpg": 3}
# What asyncpg's query logger reports that the engine's events already count.
_COUNTED_BY_EVENTS = frozenset({"BEGIN", "START", "COMMIT", "ROLLBACK", ""})


@dataclass(frozen=True)
class RoundTrips:
    """A snapshot of the counts; `total` weighs pings by what one costs on this driver."""

    statements: int = 0
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    pings: int = 0
    round_trips_per_ping: int = 1

    @property
    def total(self) -> int:
        return (
            self.statements
            + self.begins
            + self.commits
            + self.rollbacks
            + self.pings * self.round_trips_per_ping
        )

    def per(self, updates: int) -> float:
        """Round trips per update over `updates` updates."""
        return self.total / updates if updates else 0.0


class RoundTripCounter:
    """Counts while inside `with` (re-enterable; counts accumulate until `reset()`)."""

    def __init__(self, engine: AsyncEngine | Engine) -> None:
        self._engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
        self._ping_cost = _ROUND_TRIPS_PER_PING.get(self._engine.dialect.driver, 1)
        # pool_pre_ping is only a constructor argument; the pool keeps it privately.
        self._pre_ping = bool(getattr(self._engine.pool, "_pre_ping", False))
        self._fresh: set[int] = set()
        self._logged: dict[int, Any] = {}  # asyncpg connections given our query logger
        self.statements = self.begins = self.commits = self.rollbacks = self.pings = 0

    @property
    def total(self) -> int:
        return self.counts().total

    def counts(self) -> RoundTrips:
        return RoundTrips(
            self.statements,
            self.begins,
            self.commits,
            self.rollbacks,
            self.pings,
            self._ping_cost,
        )

    def reset(self) -> None:
        self.statements = self.begins = self.commits = self.rollbacks = self.pings = 0

    def __enter__(self) -> RoundTripCounter:
        for name, listener in self._listeners():
            event.listen(self._engine, name, listener)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for name, listener in self._listeners():
            event.remove(self._engine, name, listener)
        for driver in self._logged.values():
            driver.remove_query_logger(self._on_driver_query)
        self._logged.clear()

    def _listeners(self) -> list[tuple[str, Any]]:
        return [
            ("before_cursor_execute", self._on_statement),
            ("begin", self._on_begin),
            ("commit", self._on_commit),
            ("rollback", self._on_rollback),
            ("connect", self._on_connect),
            ("checkout", self._on_checkout),
        ]

    def _on_statement(self, *_args: Any) -> None:
        self.statements += 1

    def _on_driver_query(self, record: Any) -> None:
        words = record.query.split(None, 1)
        if words and words[0].rstrip(";").upper() not in _COUNTED_BY_EVENTS:
            self.statements += 1

    def _on_begin(self, connection: Connection) -> None:
        if not _autocommit(connection):
            self.begins += 1

    def _on_commit(self, connection: Connection) -> None:
        if not _autocommit(connection):
            self.commits += 1

    def _on_rollback(self, connection: Connection) -> None:
        if not _autocommit(connection):
            self.rollbacks += 1

    def _on_connect(self, _dbapi_connection: Any, record: Any) -> None:
        self._fresh.add(id(record))

    def _on_checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver: Any = getattr(dbapi_connection, "driver_connection", None)
        if hasattr(driver, "add_query_logger") and id(driver) not in self._logged:
            driver.add_query_logger(self._on_driver_query)
            self._logged[id(driver)] = driver
        # The pool pings every checkout but a new connection's first (it just connected).
        if id(record) in self._fresh:
            self._fresh.discard(id(record))
        elif self._pre_ping:
            self.pings += 1


def _autocommit(connection: Connection) -> bool:
    """Whether the driver leaves transactions to the server (as Connection does internally)."""
    level = connection.get_execution_options().get("isolation_level")
    if level is None:
        level = getattr(connection.dialect, "_on_connect_isolation_level", None)
    return bool(level == "AUTOCOMMIT")
