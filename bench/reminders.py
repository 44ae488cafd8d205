"""Reminders (issue 14): a minute's worth of due reminders delivered within Telegram's limits,
and the worker's due scan as the table grows.

Delivery: N people, each with one open task whose reminder fell due in the same minute
(the previous one), put into the tables in plain SQL. The bot's own `ReminderWorker`, with a
`SendLimiter` at the bot's `SEND_RATE`, runs `run_once()` until nothing is due, on a bot
from `create_bot(settings, session=...)` whose Bot API session (`LimitedSession`) enforces
Telegram's limits: a `sendMessage` is answered 429 with `retry_after` when 30 messages were
already accepted in the last second for the bot, or one in the last second for its chat.
Every accepted message is recorded: delivered per second against the configured rate, the
429s, duplicates (a task sent twice) and lost ones (a reminder still set, or never sent).

The due scan: `TaskService.claim_reminders(100)` with nothing due and with 10 due, on a
small and a large table (mostly tasks without a reminder, one open task in 250 with a
reminder ahead), two databases side by side, timed in alternating rounds; median.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import statistics
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter_ns

import asyncpg
from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.harness import (
    Backend,
    BenchmarkError,
    CannedSession,
    Harness,
    add_people,
    fresh_database,
    open_harness,
    progress,
    settle,
    username_of,
)
from bot.chat import create_bot
from bot.chat.i18n import create_i18n
from bot.config import Settings
from bot.reminders import ReminderWorker, SendLimiter

# Telegram's limits as the fake Bot API enforces them.
BOT_PER_SECOND = 30
CHAT_INTERVAL = 1.0
BATCH = 100  # what the worker claims per round (its BATCH), and what the scan asks for
DUE_IN_SCAN = 10
REMINDER_EVERY = 250  # one open task in so many has a reminder ahead, in the scan's tables


# -- the Bot API, with Telegram's send limits --------------------------------------------------


@dataclass(frozen=True)
class Sent:
    at: float  # time.monotonic() on arrival
    chat_id: int
    text: str


class LimitedSession(CannedSession):
    """The canned session (aiogram's own request form and answer parsing) with Telegram's
    send limits enforced on `sendMessage`: more than `BOT_PER_SECOND` messages in the last
    second for the bot, or more than one in the last second for a chat, and the message is
    answered `429 Too Many Requests` with `parameters.retry_after` (whole seconds, as
    Telegram gives it, until the window frees). Accepted messages are kept, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.too_many = 0  # 429 answers
        self._window: deque[float] = deque()  # arrivals accepted in the last second
        self._last_in_chat: dict[int, float] = {}

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        message = method if isinstance(method, SendMessage) else None
        if message is None:
            return await super().make_request(bot, method, timeout)
        now = time.monotonic()
        chat_id = int(message.chat_id)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        wait = 0.0
        if len(self._window) >= BOT_PER_SECOND:
            wait = self._window[0] + 1.0 - now
        last = self._last_in_chat.get(chat_id)
        if last is not None and now - last < CHAT_INTERVAL:
            wait = max(wait, last + CHAT_INTERVAL - now)
        if wait > 0:
            self.too_many += 1
            self.build_form_data(bot=bot, method=method)()
            retry_after = max(1, math.ceil(wait))
            answer = json.dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
            )
            # Raises TelegramRetryAfter, as aiogram does for Telegram's 429.
            self.check_response(bot=bot, method=method, status_code=429, content=answer)
            raise BenchmarkError("check_response accepted a 429")  # pragma: no cover
        self._window.append(now)
        self._last_in_chat[chat_id] = now
        self.sent.append(Sent(now, chat_id, message.text))
        return await super().make_request(bot, method, timeout)


class WarningLog(logging.Handler):
    """Counts WARNING records (a 429 retried, a reminder not sent and left to its lease)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            return  # the harness's ErrorLog has those
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


# -- delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    backend: str
    reminders: int
    rate: float  # the configured SendLimiter rate, messages a second
    seconds: float  # from the first claim to the last message accepted
    delivered: int  # distinct tasks whose reminder Telegram accepted
    sent: int  # messages Telegram accepted
    too_many: int  # 429 answers
    duplicates: int  # messages beyond one per task
    lost: int  # tasks still with a reminder set, or never sent
    rounds: int  # run_once() calls
    peak_per_second: int  # most messages accepted in any one second
    warnings: int

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    @property
    def share_of_rate(self) -> float:
        return self.per_second / self.rate


def _title(person: int) -> str:
    return f"Call back {username_of(person)}"


_PG_DUE = text(
    """
    UPDATE tasks SET title = 'Call back ' || username,
                     due_at = CAST(:minute AS timestamptz) + make_interval(secs => chat_id % 60),
                     due_has_time = true,
                     remind_at = CAST(:minute AS timestamptz) + make_interval(secs => chat_id % 60)
    WHERE chat_id = ANY(CAST(:ids AS bigint[]))
    """
)
_SQLITE_DUE = text(
    """
    UPDATE tasks SET title = 'Call back ' || username,
                     due_at = strftime('%Y-%m-%d %H:%M:%S', :minute,
                                       '+' || (chat_id % 60) || ' seconds') || '.000000',
                     due_has_time = 1,
                     remind_at = strftime('%Y-%m-%d %H:%M:%S', :minute,
                                          '+' || (chat_id % 60) || ' seconds') || '.000000'
    WHERE chat_id BETWEEN :first AND :last
    """
)
_PENDING = text(
    "SELECT count(*) FROM tasks WHERE chat_id BETWEEN :first AND :last AND remind_at IS NOT NULL"
)


async def _seed_due(engine: AsyncEngine, people: Sequence[int]) -> None:
    """Each person's task #1 (open) due, with its reminder, in the previous minute."""
    await add_people(engine, people, 1)
    minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(_PG_DUE, {"minute": minute, "ids": list(people)})
        else:
            params = {
                "minute": minute.strftime("%Y-%m-%d %H:%M:%S"),
                "first": min(people),
                "last": max(people),
            }
            await connection.execute(_SQLITE_DUE, params)
    await settle(engine)


async def _pending(engine: AsyncEngine, people: Sequence[int]) -> int:
    async with engine.connect() as connection:
        params = {"first": min(people), "last": max(people)}
        return int((await connection.execute(_PENDING, params)).scalar_one())


async def run_delivery(harness: Harness, reminders: int) -> Delivery:
    """`reminders` people's reminders, all due, through the real worker until none is left."""
    backend = harness.database.backend
    # The configured default, not the lifted rate of the use-case sections.
    rate = float(Settings.model_fields["send_rate"].default)
    progress(f"{backend}: {reminders:,} reminders due, sent at {rate:g}/s")
    people = harness.people.take(reminders)
    await _seed_due(harness.engine, people)
    if await _pending(harness.engine, people) != reminders:
        raise BenchmarkError("the seeded reminders are not all set")
    session = LimitedSession()
    bot = create_bot(harness.settings.model_copy(update={"send_rate": rate}), session=session)
    worker = ReminderWorker(
        harness.service,
        bot,
        create_i18n(),
        limiter=SendLimiter(per_second=rate),
        interval=harness.settings.reminder_interval,
    )
    warnings = WarningLog()
    logging.getLogger().addHandler(warnings)
    # Bounded: every round sends up to BATCH; a firing whose send failed comes back when its
    # lease (a minute) passes, so allow for one lease beyond the expected time.
    deadline = time.monotonic() + reminders / rate * 2 + 120
    rounds = 0
    started = time.monotonic()
    try:
        while time.monotonic() < deadline:
            claimed = await worker.run_once()
            rounds += 1
            if claimed == 0:
                if await _pending(harness.engine, people) == 0:
                    break
                await asyncio.sleep(1.0)  # leased firings: back once their lease passes
    finally:
        logging.getLogger().removeHandler(warnings)
    harness.errors.check(f"{backend}: reminder delivery")
    return _tally(
        backend,
        people,
        session,
        rate=rate,
        started=started,
        rounds=rounds,
        pending=await _pending(harness.engine, people),
        warnings=warnings.count,
    )


def _tally(
    backend: str,
    people: Sequence[int],
    session: LimitedSession,
    *,
    rate: float,
    started: float,
    rounds: int,
    pending: int,
    warnings: int,
) -> Delivery:
    per_chat = Counter(sent.chat_id for sent in session.sent)
    wanted = set(people)
    strangers = set(per_chat) - wanted
    if strangers:
        raise BenchmarkError(f"reminders sent to {len(strangers)} chat(s) nobody seeded")
    for sent in session.sent:
        if _title(sent.chat_id) not in sent.text:
            raise BenchmarkError(f"the reminder to {sent.chat_id} lacks its task: {sent.text!r}")
    never = len(wanted - set(per_chat))
    peak = 0
    window: deque[float] = deque()
    for sent in session.sent:
        window.append(sent.at)
        while window[0] <= sent.at - 1.0:
            window.popleft()
        peak = max(peak, len(window))
    last = session.sent[-1].at if session.sent else started
    return Delivery(
        backend=backend,
        reminders=len(people),
        rate=rate,
        seconds=last - started,
        delivered=len(per_chat),
        sent=len(session.sent),
        too_many=session.too_many,
        duplicates=sum(count - 1 for count in per_chat.values()),
        lost=max(never, pending),
        rounds=rounds,
        peak_per_second=peak,
        warnings=warnings,
    )


# -- the due scan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanTiming:
    tasks: int
    with_reminder: int  # tasks with a reminder ahead (none due)
    idle_ms: float  # claim_reminders(100), nothing due: median
    due_ms: float  # claim_reminders(100), 10 due: median
    idle_p90_ms: float
    due_p90_ms: float


@dataclass(frozen=True)
class Scan:
    backend: str
    runs: int  # timed claims per size and case
    small: ScanTiming
    large: ScanTiming

    @property
    def idle_ratio(self) -> float:
        return self.large.idle_ms / self.small.idle_ms

    @property
    def due_ratio(self) -> float:
        return self.large.due_ms / self.small.due_ms


_TASK_COLUMNS = (
    "username",
    "number",
    "title",
    "status",
    "created_at",
    "updated_at",
    "done_at",
    "chat_id",
    "message_id",
    "due_at",
    "due_has_time",
    "remind_at",
)
TASKS_EACH = 1_000  # the scan's people have this many tasks apiece (fewer if the size is)

_COUNTERS = text(
    """
    UPDATE users u SET last_task_number = c.last, open_count = c.open, done_count = c.done
    FROM (SELECT username, max(number) AS last,
                 count(*) FILTER (WHERE status <> 'done') AS open,
                 count(*) FILTER (WHERE status = 'done') AS done
          FROM tasks GROUP BY username) c
    WHERE u.username = c.username
    """
)


def _task_rows(people: Sequence[int], each: int, now: datetime) -> list[tuple[object, ...]]:
    """Every 4th task done; every `REMINDER_EVERY`th open one has a reminder 1-30 days ahead
    (and is due then); the rest have none."""
    rows: list[tuple[object, ...]] = []
    serial = 0
    for person in people:
        name = username_of(person)
        for n in range(1, each + 1):
            serial += 1
            done = n % 4 == 0
            remind = None
            if not done and serial % REMINDER_EVERY == 1:
                remind = now + timedelta(days=1 + serial % 30, minutes=serial % 600)
            rows.append(
                (
                    name,
                    n,
                    f"Task number {n}",
                    "done" if done else "pending",
                    now,
                    now,
                    now if done else None,
                    person,
                    n,
                    remind,
                    remind is not None,
                    remind,
                )
            )
    return rows


async def _seed_scan_pg(harness: Harness, size: int) -> tuple[int, list[int]]:
    """`size` tasks by COPY (counter triggers resting, counters set after); the people's
    count and the ids of 10 open tasks without a reminder, to be made due."""
    each = min(size, TASKS_EACH)
    people = harness.people.take(size // each)
    now = datetime.now(UTC)
    connection = await asyncpg.connect(harness.database.dsn)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "users",
                records=[(username_of(p), p, "en", "UTC", now, now) for p in people],
                columns=(
                    "username",
                    "telegram_id",
                    "language",
                    "timezone",
                    "created_at",
                    "updated_at",
                ),
            )
            await connection.execute("ALTER TABLE tasks DISABLE TRIGGER USER")
            chunk = max(1, 100_000 // each)
            for first in range(0, len(people), chunk):
                await connection.copy_records_to_table(
                    "tasks",
                    records=_task_rows(people[first : first + chunk], each, now),
                    columns=_TASK_COLUMNS,
                )
            await connection.execute("ALTER TABLE tasks ENABLE TRIGGER USER")
        # Open tasks without a reminder, spread over the table.
        due = await connection.fetch(
            "SELECT id FROM tasks WHERE status <> 'done' AND remind_at IS NULL "
            "AND number % 50 = 3 ORDER BY id LIMIT $1",
            DUE_IN_SCAN,
        )
        with_reminder = await connection.fetchval(
            "SELECT count(*) FROM tasks WHERE remind_at IS NOT NULL"
        )
    finally:
        await connection.close()
    async with harness.engine.begin() as conn:
        await conn.execute(_COUNTERS)
    await settle(harness.engine)
    return int(with_reminder), [int(row["id"]) for row in due]


async def _seed_scan_sqlite(harness: Harness, size: int) -> tuple[int, list[int]]:
    each = min(size, TASKS_EACH)
    people = harness.people.take(size // each)
    await add_people(harness.engine, people, each)
    async with harness.engine.begin() as connection:
        # One open task in REMINDER_EVERY with a reminder 1-30 days ahead.
        await connection.execute(
            text(
                "UPDATE tasks SET remind_at = strftime('%Y-%m-%d %H:%M:%S', 'now', "
                "'+' || (1 + id % 30) || ' days') || '.000000' "
                "WHERE status <> 'done' AND id % :every = 1"
            ),
            {"every": REMINDER_EVERY},
        )
        with_reminder = (
            await connection.execute(text("SELECT count(*) FROM tasks WHERE remind_at IS NOT NULL"))
        ).scalar_one()
        due = (
            await connection.execute(
                text(
                    "SELECT id FROM tasks WHERE status <> 'done' AND remind_at IS NULL "
                    "AND number % 50 = 3 ORDER BY id LIMIT :most"
                ),
                {"most": DUE_IN_SCAN},
            )
        ).scalars()
        ids = [int(value) for value in due]
        await connection.execute(text("ANALYZE"))
    return int(with_reminder), ids


_SET_REMIND = text("UPDATE tasks SET remind_at = :at WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


async def _make_due(harness: Harness, ids: Sequence[int]) -> None:
    """The chosen tasks' reminders, due half a minute ago (test data, untimed)."""
    moment = datetime.now(UTC) - timedelta(seconds=30)
    async with harness.engine.begin() as connection:
        at: object = moment
        if connection.dialect.name == "sqlite":  # as SQLAlchemy writes a DATETIME there
            at = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        await connection.execute(_SET_REMIND, {"at": at, "ids": list(ids)})


async def _clear(harness: Harness, ids: Sequence[int]) -> None:
    async with harness.engine.begin() as connection:
        await connection.execute(_SET_REMIND, {"at": None, "ids": list(ids)})


async def _time_claim(harness: Harness, expected: int) -> int:
    started = perf_counter_ns()
    claimed = await harness.service.claim_reminders(BATCH)
    elapsed = perf_counter_ns() - started
    if len(claimed) != expected:
        raise BenchmarkError(f"claim_reminders took {len(claimed)}, expected {expected}")
    return elapsed


@dataclass
class _Side:
    harness: Harness
    tasks: int
    with_reminder: int
    due_ids: list[int]
    idle_ns: list[int]
    due_ns: list[int]


async def _round(side: _Side, runs: int) -> None:
    for _ in range(runs):
        side.idle_ns.append(await _time_claim(side.harness, 0))
    for _ in range(runs):
        await _make_due(side.harness, side.due_ids)
        side.due_ns.append(await _time_claim(side.harness, len(side.due_ids)))
        await _clear(side.harness, side.due_ids)


def _timing(side: _Side) -> ScanTiming:
    def p90(values: list[int]) -> float:
        return sorted(values)[max(0, math.ceil(0.9 * len(values)) - 1)] / 1e6

    return ScanTiming(
        tasks=side.tasks,
        with_reminder=side.with_reminder,
        idle_ms=statistics.median(side.idle_ns) / 1e6,
        due_ms=statistics.median(side.due_ns) / 1e6,
        idle_p90_ms=p90(side.idle_ns),
        due_p90_ms=p90(side.due_ns),
    )


@asynccontextmanager
async def _scan_side(
    backend: Backend, size: int, *, postgres_url: str, workdir: Path
) -> AsyncIterator[_Side]:
    async with (
        fresh_database(backend, postgres_url=postgres_url, workdir=workdir) as database,
        open_harness(database) as harness,
    ):
        progress(f"{backend}: the due scan's table, {size:,} tasks")
        seed = _seed_scan_pg if backend == "postgresql" else _seed_scan_sqlite
        with_reminder, due_ids = await seed(harness, size)
        if len(due_ids) != DUE_IN_SCAN:
            raise BenchmarkError(f"only {len(due_ids)} tasks to make due")
        yield _Side(harness, size, with_reminder, due_ids, [], [])


async def run_scan(
    backend: Backend,
    sizes: tuple[int, int],
    *,
    runs: int,
    rounds: int,
    postgres_url: str,
    workdir: Path,
) -> Scan:
    """Both tables at once, in two databases; rounds alternate between them (each round:
    `runs` claims with nothing due, then `runs` with 10 due), the first round of each
    untimed (warm-up)."""
    small_size, large_size = sizes
    async with (
        _scan_side(backend, small_size, postgres_url=postgres_url, workdir=workdir) as small,
        _scan_side(backend, large_size, postgres_url=postgres_url, workdir=workdir) as large,
    ):
        progress(f"{backend}: the due scan, {rounds} rounds of {runs} claims per case and size")
        for side in (small, large):  # warm-up: connections, statement caches
            await _round(side, runs)
            side.idle_ns.clear()
            side.due_ns.clear()
        for index in range(rounds):
            order = (small, large) if index % 2 == 0 else (large, small)
            for side in order:
                await _round(side, runs)
        for side in (small, large):
            side.harness.errors.check(f"{backend}: the due scan")
        return Scan(backend, runs * rounds, _timing(small), _timing(large))
