"""The five use cases, each through the real dispatcher and through its minimal-bot floor.

The floor is a bare aiogram Dispatcher with one router whose handlers run the use case's
equivalent SQL (written here, on plain asyncpg: one round trip, prepared once by asyncpg's
statement cache) and answer (`message.answer("ok")` / `callback.answer()`), on the same bot
and canned session: dispatch + the raw round trip. SQLite has no round trip to save and no
plain-driver floor here; its floor is the same dispatcher without SQL (bare dispatch), shown
and not judged.

The real run and its floor alternate in rounds, so the machine's drift weighs on both alike;
the judged ratio is the median of the rounds' own ratios.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

import asyncpg
from aiogram import Dispatcher, Router
from aiogram.types import CallbackQuery, Message, Update

from bench.harness import (
    BenchmarkError,
    Call,
    Harness,
    Summary,
    UpdateFactory,
    add_people,
    counting_statements,
    drive,
    pooled,
    username_of,
)
from bot.chat.callbacks import TaskAction, TaskCallback
from bot.schemas import Person, TaskStatus
from bot.services import TaskService

TASKS_EACH = 25  # a full first page of the list (ten) and more
STATUS_TASK = 2  # to do when seeded
_STATUS_CYCLE = ("in_progress", "done", "pending")  # every press really changes the task
_ACTION_OF = {
    "in_progress": TaskAction.TO_IN_PROGRESS,
    "done": TaskAction.TO_DONE,
    "pending": TaskAction.TO_PENDING,
}
_PAGE_SIZE = 10  # TaskService's default
_MAX_TASKS = 10_000  # MAX_TASKS_PER_USER's default

# The floors' SQL: what the bot's statement for each use case does, in one round trip.
# (Written out in full: the person's key is looked up by Telegram id inside each.)
ADD_SQL = """
WITH next_number AS (
    UPDATE users SET last_task_number = last_task_number + 1, updated_at = $6
    WHERE telegram_id = $1 AND open_count + done_count < $2
      AND NOT EXISTS (SELECT 1 FROM tasks WHERE chat_id = $3 AND message_id = $4)
    RETURNING username, last_task_number
)
INSERT INTO tasks (username, number, title, description, status, created_at, updated_at,
                   chat_id, message_id)
SELECT username, last_task_number, $5, NULL, 'pending', $6, $6, $3, $4 FROM next_number
ON CONFLICT DO NOTHING
RETURNING number, title, description, status, created_at, updated_at, done_at
"""
LIST_SQL = """
SELECT u.open_count, u.done_count, p.*
FROM users u LEFT JOIN (
    SELECT * FROM (
        (SELECT number, title, description, status, created_at, updated_at, done_at,
                0 AS rank
         FROM tasks
         WHERE username = (SELECT username FROM users WHERE telegram_id = $1)
           AND status = 'in_progress'
         ORDER BY number LIMIT $2)
        UNION ALL
        (SELECT number, title, description, status, created_at, updated_at, done_at,
                1 AS rank
         FROM tasks
         WHERE username = (SELECT username FROM users WHERE telegram_id = $1)
           AND status = 'pending'
         ORDER BY number LIMIT $2)
    ) c ORDER BY rank, number LIMIT $2
) p ON true
WHERE u.telegram_id = $1
ORDER BY p.rank, p.number
"""
GET_SQL = """
SELECT number, title, description, status, created_at, updated_at, done_at
FROM tasks
WHERE username = (SELECT username FROM users WHERE telegram_id = $1) AND number = $2
"""
STATUS_SQL = """
UPDATE tasks SET status = $3, updated_at = $4, done_at = $5
WHERE username = (SELECT username FROM users WHERE telegram_id = $1) AND number = $2
  AND status <> $3
RETURNING number, title, description, status, created_at, updated_at, done_at
"""
DONE_SQL = """
UPDATE tasks SET status = 'done', updated_at = $3, done_at = $3
WHERE username = (SELECT username FROM users WHERE telegram_id = $1)
  AND number IN ($2) AND status <> 'done'
RETURNING number, title
"""


@dataclass(frozen=True)
class UseCase:
    name: str
    kind: Literal["message", "press"]
    marker: str  # a piece of the real reply that shows the use case worked
    update: Callable[[UpdateFactory, int, int], Update]  # (factory, person, step)
    floor_sql: str
    floor_args: Callable[[int, int, Update], tuple[Any, ...]]  # (person, step, its update)
    # The same step through TaskService alone (person, step): the service's part.
    service_call: Callable[[TaskService, Person, int], Awaitable[object]]
    tasks_for: Callable[[int], int] = lambda _steps: TASKS_EACH  # seeded, for so many steps

    def expected_calls(self, updates: int, *, floor: bool) -> dict[str, int]:
        """Bot API calls a run must make: a reply per message; per press an edit and an
        answer (the floor only answers)."""
        if self.kind == "message":
            return {"sendMessage": updates}
        if floor:
            return {"answerCallbackQuery": updates}
        return {"editMessageText": updates, "answerCallbackQuery": updates}


def status_at(step: int) -> str:
    return _STATUS_CYCLE[step % len(_STATUS_CYCLE)]


def open_task(step: int) -> int:
    """The step-th open task (from 0) of a seeded person, whose every 4th task is done."""
    return step + step // 3 + 1


def _now() -> datetime:
    return datetime.now(UTC)


def _add_args(person: int, step: int, update: Update) -> tuple[Any, ...]:
    assert update.message is not None
    message = update.message
    return (person, _MAX_TASKS, message.chat.id, message.message_id, f"Task {step}", _now())


def _status_args(person: int, step: int, _update: Update) -> tuple[Any, ...]:
    status, at = status_at(step), _now()
    return (person, STATUS_TASK, status, at, at if status == "done" else None)


def _service_add(service: TaskService, person: Person, step: int) -> Awaitable[object]:
    chat, message = person.telegram_id, _SERVICE_MESSAGE_IDS + step
    return service.add_task(person, f"Task {step}", chat_id=chat, message_id=message)


_SERVICE_MESSAGE_IDS = 1_500_000_000  # above the seeded ones, below the updates' own

ADD = UseCase(
    name="/add",
    kind="message",
    marker="➕ <b>#",  # "➕ #26 Task 7", the card of the added task
    update=lambda updates, person, step: updates.message(person, f"/add Task {step}"),
    floor_sql=ADD_SQL,
    floor_args=_add_args,
    service_call=_service_add,
)
LIST = UseCase(
    name="/list",
    kind="message",
    marker="Open tasks",
    update=lambda updates, person, _step: updates.message(person, "/list"),
    floor_sql=LIST_SQL,
    floor_args=lambda person, _step, _update: (person, _PAGE_SIZE),
    service_call=lambda service, person, _step: service.list_tasks(person),
)


def task_button(person: int, action: TaskAction, number: int) -> str:
    """The callback data of a button on the person's open list's first page (or a card
    shown from it), packed by the bot's own class. `owner` is whom the button was made for;
    a version of TaskCallback without it ignores it (pydantic drops unknown fields)."""
    fields = {"action": action, "number": number, "view": "open", "page": 0, "owner": person}
    return TaskCallback.model_validate(fields).pack()


OPEN_CARD = UseCase(
    name="open card",
    kind="press",
    marker="Status:",
    update=lambda updates, person, step: updates.press(
        person, task_button(person, TaskAction.OPEN, 1 + step % TASKS_EACH)
    ),
    floor_sql=GET_SQL,
    floor_args=lambda person, step, _update: (person, 1 + step % TASKS_EACH),
    service_call=lambda service, person, step: service.get_task(person, 1 + step % TASKS_EACH),
)
STATUS = UseCase(
    name="status button",
    kind="press",
    marker="Status:",
    update=lambda updates, person, step: updates.press(
        person, task_button(person, _ACTION_OF[status_at(step)], STATUS_TASK)
    ),
    floor_sql=STATUS_SQL,
    floor_args=_status_args,
    service_call=lambda service, person, step: service.set_status(
        person, STATUS_TASK, TaskStatus(status_at(step))
    ),
)
# Each step closes the person's next open task: closing a closed one would measure the
# cheaper "was already done" path.
DONE = UseCase(
    name="/done n",
    kind="message",
    marker="Marked 1 task done.",
    update=lambda updates, person, step: updates.message(person, f"/done {open_task(step)}"),
    floor_sql=DONE_SQL,
    floor_args=lambda person, step, _update: (person, open_task(step), _now()),
    service_call=lambda service, person, step: service.mark_done(person, [open_task(step)]),
    tasks_for=lambda steps: max(TASKS_EACH, open_task(steps)),
)
USE_CASES = (ADD, LIST, OPEN_CARD, STATUS, DONE)


# -- the floor ---------------------------------------------------------------------------------


class FloorConnections:
    """Plain asyncpg connections lent one per update, with nothing done on lending or return
    (asyncpg's own pool resets a connection on release: a round trip more)."""

    def __init__(self, connections: list[asyncpg.Connection]) -> None:
        self._idle: asyncio.Queue[asyncpg.Connection] = asyncio.Queue()
        for connection in connections:
            self._idle.put_nowait(connection)

    async def fetch(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        connection = await self._idle.get()
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            self._idle.put_nowait(connection)


@asynccontextmanager
async def floor_connections(dsn: str, size: int) -> AsyncIterator[FloorConnections]:
    connections = [await asyncpg.connect(dsn) for _ in range(size)]
    try:
        yield FloorConnections(connections)
    finally:
        for connection in connections:
            await connection.close()


def floor_dispatcher(run_sql: Callable[[Update], Awaitable[None]] | None) -> Dispatcher:
    """One router; each handler runs the use case's SQL for its update, then answers."""

    async def on_message(message: Message, event_update: Update) -> None:
        if run_sql is not None:
            await run_sql(event_update)
        await message.answer("ok")

    async def on_press(query: CallbackQuery, event_update: Update) -> None:
        if run_sql is not None:
            await run_sql(event_update)
        await query.answer()

    router = Router(name="floor")
    router.message.register(on_message)
    router.callback_query.register(on_press)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


# -- runs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    use_case: str
    concurrency: int
    floor_kind: Literal["minimal bot", "bare dispatch"]
    real: Summary
    floor: Summary
    round_ratios: tuple[float, ...]  # real mean / floor mean, per round
    statements: float  # per update in the real runs, as SQLAlchemy sent them
    bot_api_ms: float  # per update in the real runs, inside the canned session's make_request
    service: Summary | None  # concurrency 1 only: the same steps through TaskService alone
    sql: Summary | None  # concurrency 1 on PostgreSQL: the floor's SQL alone, back to back

    @property
    def ratio(self) -> float:
        return statistics.median(self.round_ratios)


def _lanes(
    harness: Harness, dispatcher: Dispatcher, use_case: UseCase, people: list[int], steps: range
) -> list[list[Call]]:
    return [
        [
            partial(
                dispatcher.feed_update, harness.bot, use_case.update(harness.updates, person, step)
            )
            for step in steps
        ]
        for person in people
    ]


def _check(harness: Harness, use_case: UseCase, expected: dict[str, int], what: str) -> None:
    if dict(harness.session.calls) != expected:
        raise BenchmarkError(
            f"{what}: expected Bot API calls {expected}, got {harness.session.calls}"
        )
    harness.errors.check(what)


async def run_real(
    harness: Harness,
    use_case: UseCase,
    people: list[int],
    *,
    warm: int,
    timed: int,
    start: int = 0,
) -> tuple[Summary, Counter[str]]:
    """`people` (one lane each, their data in place) send `warm` untimed updates, then
    `timed` timed ones, from step `start` on, through the real dispatcher; the summary and
    the statements SQLAlchemy sent and the time in the Bot API session ("bot_api_ns")."""
    dispatcher = harness.dispatcher
    await drive(_lanes(harness, dispatcher, use_case, people, range(start, start + warm)))
    timed_steps = range(start + warm, start + warm + timed)
    lanes = _lanes(harness, dispatcher, use_case, people, timed_steps)
    harness.session.calls.clear()
    harness.session.busy_ns = 0
    with counting_statements(harness.engine) as counted:
        summary = await drive(lanes)
    counted["bot_api_ns"] = harness.session.busy_ns
    what = f"{use_case.name} at concurrency {len(people)}"
    _check(harness, use_case, use_case.expected_calls(summary.updates, floor=False), what)
    if use_case.marker not in harness.session.last_text:
        reply = harness.session.last_text[:200]
        raise BenchmarkError(f"{what}: the reply lacks {use_case.marker!r}: {reply!r}")
    return summary, counted


async def run_service(
    harness: Harness, use_case: UseCase, person: int, *, warm: int, timed: int
) -> Summary:
    """The same steps through `TaskService` alone, for one person (their data in place)."""
    who = Person(telegram_id=person, username=username_of(person), language="en")

    def calls(steps: range) -> list[list[Call]]:
        return [[partial(use_case.service_call, harness.service, who, step) for step in steps]]

    await drive(calls(range(warm)))
    summary = await drive(calls(range(warm, warm + timed)))
    harness.errors.check(f"{use_case.name} through the service")
    return summary


async def run_sql(
    harness: Harness,
    use_case: UseCase,
    person: int,
    connections: FloorConnections,
    *,
    warm: int,
    timed: int,
) -> Summary:
    """The floor's SQL alone for one person (their data in place), back to back."""

    def calls(steps: range) -> list[list[Call]]:
        lane: list[Call] = []
        for step in steps:
            args = use_case.floor_args(person, step, use_case.update(harness.updates, person, step))
            lane.append(partial(connections.fetch, use_case.floor_sql, args))
        return [lane]

    await drive(calls(range(warm)))
    return await drive(calls(range(warm, warm + timed)))


async def run_floor(
    harness: Harness,
    use_case: UseCase,
    people: list[int],
    connections: FloorConnections | None,
    *,
    warm: int,
    timed: int,
    start: int = 0,
) -> Summary:
    """The same through the floor dispatcher: the SQL on `connections` (None: no SQL)."""
    args: dict[int, tuple[Any, ...]] = {}

    def lanes(steps: range) -> list[list[Call]]:
        built = []
        for person in people:
            lane: list[Call] = []
            for step in steps:
                update = use_case.update(harness.updates, person, step)
                args[update.update_id] = use_case.floor_args(person, step, update)
                lane.append(partial(dispatcher.feed_update, harness.bot, update))
            built.append(lane)
        return built

    async def run_sql(update: Update) -> None:
        assert connections is not None
        if not await connections.fetch(use_case.floor_sql, args.pop(update.update_id)):
            raise BenchmarkError(f"the floor's SQL for {use_case.name} returned no rows")

    dispatcher = floor_dispatcher(run_sql if connections is not None else None)
    await drive(lanes(range(start, start + warm)))
    timed_lanes = lanes(range(start + warm, start + warm + timed))
    harness.session.calls.clear()
    summary = await drive(timed_lanes)
    what = f"{use_case.name}'s floor at concurrency {len(people)}"
    _check(harness, use_case, use_case.expected_calls(summary.updates, floor=True), what)
    return summary


async def compare(
    harness: Harness,
    use_case: UseCase,
    *,
    concurrency: int,
    updates: int,
    warmup: int,
    rounds: int,
) -> Comparison:
    """The use case and its floor at `concurrency` (one person per lane, fresh people each
    run), alternating for `rounds` rounds of `updates / rounds` timed updates each."""
    warm = max(1, warmup // concurrency)
    timed = max(1, updates // rounds // concurrency)
    postgres = harness.database.backend == "postgresql"
    # As many connections as the bot's pool may open (pool size + overflow), if needed.
    size = min(concurrency, harness.settings.db_pool_size + harness.settings.db_pool_size // 2)
    reals, floors, services, sqls = [], [], [], []
    sent: Counter[str] = Counter()
    async with _maybe_floor_connections(harness, size if postgres else 0) as connections:
        for _round in range(rounds):
            people = harness.people.take(concurrency)
            await add_people(harness.engine, people, use_case.tasks_for(warm + timed))
            real, counted = await run_real(harness, use_case, people, warm=warm, timed=timed)
            reals.append(real)
            sent += counted
            people = harness.people.take(concurrency)
            await add_people(harness.engine, people, use_case.tasks_for(warm + timed))
            floors.append(
                await run_floor(harness, use_case, people, connections, warm=warm, timed=timed)
            )
            if concurrency == 1:
                [person] = harness.people.take(1)
                await add_people(harness.engine, [person], use_case.tasks_for(warm + timed))
                services.append(
                    await run_service(harness, use_case, person, warm=warm, timed=timed)
                )
                if connections is not None:
                    [person] = harness.people.take(1)
                    await add_people(harness.engine, [person], use_case.tasks_for(warm + timed))
                    sqls.append(
                        await run_sql(
                            harness, use_case, person, connections, warm=warm, timed=timed
                        )
                    )
    real_all = pooled(reals)
    return Comparison(
        use_case=use_case.name,
        concurrency=concurrency,
        floor_kind="minimal bot" if postgres else "bare dispatch",
        real=real_all,
        floor=pooled(floors),
        round_ratios=tuple(r.mean_ms / f.mean_ms for r, f in zip(reals, floors, strict=True)),
        statements=sent["statements"] / real_all.updates,
        bot_api_ms=sent["bot_api_ns"] / 1e6 / real_all.updates,
        service=pooled(services) if services else None,
        sql=pooled(sqls) if sqls else None,
    )


@asynccontextmanager
async def _maybe_floor_connections(
    harness: Harness, size: int
) -> AsyncIterator[FloorConnections | None]:
    if size == 0:
        yield None
        return
    async with floor_connections(harness.database.dsn, size) as connections:
        yield connections
