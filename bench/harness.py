"""What every section stands on: a fresh migrated database, the bot and its dispatcher built
by the public factories on a canned Bot API session, updates as polling hands them over,
people with tasks put straight into the tables, and timing in concurrent lanes.

Nothing here reaches into the bot: it uses `create_engine`, `create_session_maker`,
`upgrade_to_head`, `TaskService`, `create_bot`, `create_dispatcher`, the callback data
classes and the settings, as `bot.app` does.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import math
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from time import perf_counter_ns
from typing import Any, Literal, cast

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat import create_bot, create_dispatcher
from bot.config import DatabaseSettings, Settings
from bot.db import create_engine, create_session_maker
from bot.db.migrations import upgrade_to_head
from bot.services import TaskService

Backend = Literal["postgresql", "sqlite"]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BOT_TOKEN = "4242:BENCH-token-for-the-canned-session"
_STARTED = time.monotonic()


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds the report alone."""
    print(f"[bench {time.monotonic() - _STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


class BenchmarkError(Exception):
    """The bot did not do what a measurement assumes; its numbers would mean nothing."""


# -- databases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    backend: Backend
    url: str  # the SQLAlchemy URL, as DATABASE_URL takes it

    @property
    def dsn(self) -> str:
        """The URL plain asyncpg takes (PostgreSQL only)."""
        return asyncpg_dsn(self.url)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(
    backend: Backend, *, postgres_url: str, workdir: Path
) -> AsyncIterator[Database]:
    """An empty database at the newest schema (by `upgrade_to_head`), dropped afterwards,
    also when the run fails or is interrupted (a cancellation runs the `finally`)."""
    if backend == "sqlite":
        path = workdir / f"bench_{secrets.token_hex(4)}.sqlite3"
        database = Database("sqlite", f"sqlite+aiosqlite:///{path}")
        await _migrate(database)
        yield database
        return
    name = f"bench_{secrets.token_hex(6)}"
    await _admin(postgres_url, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=name)
    try:
        database = Database("postgresql", url.render_as_string(hide_password=False))
        await _migrate(database)
        yield database
    finally:
        await _admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(postgres_url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _migrate(database: Database) -> None:
    engine = create_engine(DatabaseSettings(database_url=database.url))
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def postgres_version(postgres_url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


# -- people and their tasks, straight into the tables ------------------------------------------

_FIRST_PERSON = 7_000_000_000  # far from the ids the tests use


class People:
    """Hands out Telegram ids, so no two runs share a person (a to-do list, a row lock)."""

    def __init__(self, first: int = _FIRST_PERSON) -> None:
        self._ids = count(first)

    def take(self, number: int) -> list[int]:
        return [next(self._ids) for _ in range(number)]


def username_of(telegram_id: int) -> str:
    """Their Telegram username, and so the key the bot stores them under."""
    return f"bench{telegram_id}"


def status_of(number: int) -> str:
    """The seeded status of task `number`: every 4th done, #1, #6, #11... in progress."""
    if number % 4 == 0:
        return "done"
    return "in_progress" if number % 5 == 1 else "pending"


_PG_USERS = text(
    """
    INSERT INTO users (username, telegram_id, language, last_task_number, created_at, updated_at)
    SELECT 'bench' || id, id, 'en', :tasks, now(), now() FROM unnest(CAST(:ids AS bigint[])) id
    """
)
_PG_COUNTERS = text(
    """
    UPDATE users u SET open_count = c.open, done_count = c.done
    FROM (SELECT username,
                 count(*) FILTER (WHERE status <> 'done') AS open,
                 count(*) FILTER (WHERE status = 'done') AS done
          FROM tasks
          WHERE username IN (SELECT 'bench' || id FROM unnest(CAST(:ids AS bigint[])) id)
          GROUP BY username) c
    WHERE u.username = c.username
    """
)
_SQLITE_USER = text(
    """
    INSERT INTO users (username, telegram_id, language, last_task_number, created_at, updated_at)
    VALUES (:name, :id, 'en', :tasks, :now, :now)
    """
)

# Due dates, with `dated`: (which tasks, days from today's midnight in UTC, the people's zone,
# hour, with a time?). A handful of open tasks is due around now (one overdue, two today,
# three more this week), so /today shows three and /upcoming five; beyond them, the done
# tasks were due in the past year and every 12th task (open) is due in the next six months.
# From 1 000 tasks on, a third is dated. Task #2 (the status button's) has none.
DUE_RULES: tuple[tuple[str, str, int, bool], ...] = (
    ("n = 3", "-1", 18, True),  # overdue: yesterday 18:00
    ("n = 5", "0", 9, True),  # today 09:00
    ("n = 6", "0", 0, False),  # today
    ("n = 7", "1", 18, True),  # tomorrow 18:00
    ("n = 9", "3", 0, False),  # in 3 days
    ("n = 10", "6", 12, True),  # in 6 days, 12:00
    ("n % 4 = 0", "-1 - n % 365", 9, True),  # done ones: the past year
    ("n % 12 = 1", "8 + n % 180", 9, True),  # open ones: after this week, for six months
)


def _due_columns(shift: Callable[[str, int], str], yes: str, no: str) -> str:
    """`due_at, due_has_time` for task `n` by DUE_RULES; `shift(days, hours)` is the
    dialect's today's-midnight-plus-so-much, `yes` and `no` its booleans."""
    due_at = " ".join(
        f"WHEN {when} THEN {shift(days, hours)}" for when, days, hours, _ in DUE_RULES
    )
    timed = " ".join(f"WHEN {when} THEN {yes if has else no}" for when, _, _, has in DUE_RULES)
    return f"CASE {due_at} END, CASE {timed} ELSE {no} END"


def _pg_shift(days: str, hours: int) -> str:
    return f"CAST(:midnight AS timestamptz) + make_interval(days => {days}, hours => {hours})"


def _sqlite_shift(days: str, hours: int) -> str:
    # As SQLAlchemy writes a DATETIME on SQLite, so comparisons with bound values hold.
    return (
        f"strftime('%Y-%m-%d %H:%M:%S', :midnight, ({days}) || ' days', '+{hours} hours')"
        " || '.000000'"
    )


# The CASEs are status_of() in SQL.
_PG_TASKS = """
    INSERT INTO tasks (username, number, title, description, status, created_at, updated_at,
                       done_at, chat_id, message_id, due_at, due_has_time)
    SELECT 'bench' || id, n, 'Task number ' || n, NULL,
           CASE WHEN n % 4 = 0 THEN 'done' WHEN n % 5 = 1 THEN 'in_progress' ELSE 'pending' END,
           now(), now(), CASE WHEN n % 4 = 0 THEN now() END, id, n, {due}
    FROM unnest(CAST(:ids AS bigint[])) id, generate_series(1, :tasks) n
    """
_SQLITE_TASKS = """
    WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :tasks)
    INSERT INTO tasks (username, number, title, description, status, created_at, updated_at,
                       done_at, chat_id, message_id, due_at, due_has_time)
    SELECT :name, n, 'Task number ' || n, NULL,
           CASE WHEN n % 4 = 0 THEN 'done' WHEN n % 5 = 1 THEN 'in_progress' ELSE 'pending' END,
           :now, :now, CASE WHEN n % 4 = 0 THEN :now END, :id, n, {due}
    FROM s
    """
# (backend, dated) -> the statement
_TASKS = {
    ("postgresql", False): text(_PG_TASKS.format(due="NULL, false")),
    ("postgresql", True): text(_PG_TASKS.format(due=_due_columns(_pg_shift, "true", "false"))),
    ("sqlite", False): text(_SQLITE_TASKS.format(due="NULL, 0")),
    ("sqlite", True): text(_SQLITE_TASKS.format(due=_due_columns(_sqlite_shift, "1", "0"))),
}


def today_midnight() -> datetime:
    """Today's 00:00 in UTC, the zone seeded people have (the bot's default)."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def add_people(
    engine: AsyncEngine, people: Sequence[int], tasks_each: int, *, dated: bool = False
) -> None:
    """Register `people` as the bot would have, with tasks 1..`tasks_each` apiece (test data
    in plain SQL; the counters that migration 0002's triggers keep come out right); with
    `dated`, due dates by DUE_RULES."""
    if not people:
        return
    midnight = today_midnight()
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            params = {"ids": list(people), "tasks": tasks_each, "midnight": midnight}
            await connection.execute(_PG_USERS, params)
            if tasks_each:
                # The counter triggers would update the person's row once per task, in one
                # transaction: 100 000 tasks took minutes. They rest during the load.
                await connection.execute(text("ALTER TABLE tasks DISABLE TRIGGER USER"))
                await connection.execute(_TASKS["postgresql", dated], params)
                await connection.execute(text("ALTER TABLE tasks ENABLE TRIGGER USER"))
                await connection.execute(_PG_COUNTERS, params)
            await connection.execute(text("ANALYZE users, tasks"))
            return
        # SQLite's DATETIME as SQLAlchemy writes it; its triggers keep the counters.
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        for person in people:
            params = {
                "name": username_of(person),
                "id": person,
                "tasks": tasks_each,
                "now": now,
                "midnight": midnight.strftime("%Y-%m-%d %H:%M:%S"),
            }
            await connection.execute(_SQLITE_USER, params)
            if tasks_each:
                await connection.execute(_TASKS["sqlite", dated], params)


async def settle(engine: AsyncEngine) -> None:
    """After a bulk load on PostgreSQL: VACUUM ANALYZE, as autovacuum soon would."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE users, tasks"))


# -- the Bot API, canned -----------------------------------------------------------------------

_BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Todo", "username": "todo_bench_bot"}
# What Telegram answers for a sent or edited message; aiogram parses and validates it.
_MESSAGE_ANSWER = json.dumps(
    {
        "ok": True,
        "result": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 1, "type": "private"},
            "from": _BOT_USER,
            "text": "ok",
        },
    }
)
_TRUE_ANSWER = json.dumps({"ok": True, "result": True})
_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText"})


class CannedSession(AiohttpSession):
    """aiogram's own session, as the bot uses it, with the HTTP exchange left out.

    Per call it does what `AiohttpSession.make_request` does around the exchange: the URL,
    the request form (`build_form_data`) encoded as aiohttp would send it, and the answer
    parsed and checked by `check_response`; the answer is a canned one. It keeps only a count
    per method and the last text sent, so memory stays flat.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.last_text = ""
        self.busy_ns = 0  # time spent in make_request, the Bot API's part of an update

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        started = perf_counter_ns()
        name = method.__api_method__
        self.api.api_url(token=bot.token, method=name)
        form = self.build_form_data(bot=bot, method=method)
        form()  # the body aiohttp would post: the form, url-encoded
        self.calls[name] += 1
        answer = _TRUE_ANSWER
        if name in _MESSAGE_METHODS:
            self.last_text = str(getattr(method, "text", ""))
            answer = _MESSAGE_ANSWER
        response = self.check_response(bot=bot, method=method, status_code=200, content=answer)
        self.busy_ns += perf_counter_ns() - started
        return cast(TelegramType, response.result)

    async def close(self) -> None:
        return None  # no aiohttp session was opened


# -- the bot under test ------------------------------------------------------------------------


def bot_settings(database_url: str, *, unlimited: bool) -> Settings:
    """The bot's defaults (no `.env` read, so a developer's settings can't skew a run).

    The bot's send rate (Telegram's per-bot limit, kept by the session's LimitSends) is
    lifted: the canned Bot API answers at once and the bench measures the bot's own cost.
    `unlimited`: nobody is rate-limited either, since a benchmark person sends hundreds of
    updates a second, which the per-person limit exists to stop; the middlewares still run."""
    settings = Settings(_env_file=None, bot_token=BOT_TOKEN, database_url=database_url)
    # The canned Bot API answers at once; the reminder section sets Telegram's rate itself.
    settings = settings.model_copy(update={"send_rate": 1000})
    if unlimited:
        settings = settings.model_copy(
            update={"rate_limit_updates": 10_000, "rate_limit_seconds": 0.001}
        )
    return settings


@dataclass(frozen=True)
class Harness:
    """One backend's bot: the engine, the bot on the canned session, the real dispatcher."""

    database: Database
    settings: Settings
    engine: AsyncEngine
    session: CannedSession
    bot: Bot
    service: TaskService
    dispatcher: Dispatcher
    updates: UpdateFactory
    people: People
    errors: ErrorLog


@asynccontextmanager
async def open_harness(database: Database, *, unlimited: bool = True) -> AsyncIterator[Harness]:
    """Built as `bot.app.run` builds it (less polling, migrations and the command menu)."""
    # As bot.app does: aiogram logs every handled update at INFO otherwise.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    settings = bot_settings(database.url, unlimited=unlimited)
    engine = create_engine(settings)
    session = CannedSession()
    bot = create_bot(settings, session=session)
    service = TaskService(create_session_maker(engine), max_tasks=settings.max_tasks_per_user)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        yield Harness(
            database=database,
            settings=settings,
            engine=engine,
            session=session,
            bot=bot,
            service=service,
            dispatcher=create_dispatcher(service, settings),
            updates=UpdateFactory(bot),
            people=People(),
            errors=errors,
        )
    finally:
        logging.getLogger().removeHandler(errors)
        await engine.dispose()


class ErrorLog(logging.Handler):
    """Counts ERROR records anywhere: the bot logs each handler failure and answers politely,
    and a use case failing politely must not look fast."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"

    def check(self, what: str) -> None:
        if self.count:
            raise BenchmarkError(f"{what}: {self.count} error(s) logged, first: {self.first}")


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[Counter[str]]:
    """Statements the engine sends while inside (SQLAlchemy's public cursor event)."""
    counter: Counter[str] = Counter()

    def count_one(*_args: Any) -> None:
        counter["statements"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count_one)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count_one)


# -- updates -----------------------------------------------------------------------------------

_DATE = 1_700_000_000
# Seeded tasks come from message ids 1..n; updates start far above, so the (chat, message)
# pair that makes /add idempotent never repeats.
_FIRST_MESSAGE_ID = 1_000_000_000


class UpdateFactory:
    """Updates as aiogram's polling hands them to the dispatcher: validated from Telegram's
    JSON and bound to the bot (an unbound one would be rebuilt on every `feed_update`)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._update_ids = count(1)
        self._message_ids = count(_FIRST_MESSAGE_ID)
        self._query_ids = count(1)

    def message(self, telegram_id: int, text_: str) -> Update:
        """The person sends `text_` in their private chat with the bot."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": _DATE,
            "chat": _private_chat(telegram_id),
            "from": _user(telegram_id),
            "text": text_,
        }
        if text_.startswith("/"):
            command = text_.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._bound({"update_id": next(self._update_ids), "message": message})

    def press(self, telegram_id: int, data: str) -> Update:
        """The person presses a button carrying `data` under one of the bot's messages."""
        query = {
            "id": str(next(self._query_ids)),
            "from": _user(telegram_id),
            "chat_instance": str(telegram_id),
            "data": data,
            "message": {
                "message_id": 1,
                "date": _DATE,
                "chat": _private_chat(telegram_id),
                "from": _BOT_USER,
                "text": "a list or a card",
            },
        }
        return self._bound({"update_id": next(self._update_ids), "callback_query": query})

    def _bound(self, payload: dict[str, Any]) -> Update:
        return Update.model_validate(payload, context={"bot": self._bot})


def _user(telegram_id: int) -> dict[str, Any]:
    return {
        "id": telegram_id,
        "is_bot": False,
        "first_name": "Bench",
        "username": username_of(telegram_id),
        "language_code": "en",
    }


def _private_chat(telegram_id: int) -> dict[str, Any]:
    return {"id": telegram_id, "type": "private", "first_name": "Bench"}


# -- timing ------------------------------------------------------------------------------------

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Summary:
    updates: int
    per_second: float
    mean_ms: float
    p50_ms: float
    p99_ms: float


async def drive(lanes: Sequence[Sequence[Call]]) -> Summary:
    """Run each lane's calls in order, the lanes at once (concurrency = number of lanes),
    timing each call. Calls are built beforehand, so no update is built inside a timing."""
    gc.collect()  # no run pays for the garbage of the one before
    latencies: list[int] = []

    async def lane(calls: Sequence[Call]) -> None:
        for call in calls:
            started = perf_counter_ns()
            await call()
            latencies.append(perf_counter_ns() - started)

    started = perf_counter_ns()
    async with asyncio.TaskGroup() as group:
        for calls in lanes:
            group.create_task(lane(calls))
    wall = perf_counter_ns() - started
    values = sorted(latencies)
    return Summary(
        updates=len(values),
        per_second=len(values) / (wall / 1e9),
        mean_ms=sum(values) / len(values) / 1e6,
        p50_ms=_percentile(values, 0.50) / 1e6,
        p99_ms=_percentile(values, 0.99) / 1e6,
    )


def _percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest rank: the smallest value with at least `fraction` of the sample at or below."""
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]


def pooled(parts: Sequence[Summary]) -> Summary:
    """Rounds of one kind as one: count, rate and mean exact; the median round's p50 and the
    worst round's p99."""
    updates = sum(part.updates for part in parts)
    seconds = sum(part.updates / part.per_second for part in parts)
    return Summary(
        updates=updates,
        per_second=updates / seconds,
        mean_ms=sum(part.mean_ms * part.updates for part in parts) / updates,
        p50_ms=statistics.median(part.p50_ms for part in parts),
        p99_ms=max(part.p99_ms for part in parts),
    )
