"""Issue 13's due dates: `/today` and `/upcoming` as use cases (the list-size section runs
them at 10, 1 000 and 100 000 tasks), and the parsing cost per `/add`: `/add` with a date
phrase against `/add` without one, end to end through the real dispatcher.

The views read a person seeded with due dates (`add_people(..., dated=True)`, DUE_RULES in
harness.py): three tasks due by today, five from today for a week, whatever the history's
length. Their floor (PostgreSQL) is the view's statement on plain asyncpg: open tasks due in
[from, to), earliest first, at most the bot's 100, one round trip.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import Update

from bench.harness import (
    Harness,
    Summary,
    add_people,
    pooled,
    progress,
    today_midnight,
)
from bench.usecases import ADD, TASKS_EACH, UseCase, run_real, run_service
from bot.schemas import Person
from bot.services import TaskService
from bot.services.due import parse_due

DUE_VIEW_SIZE = 100  # the most /today and /upcoming show (the service's own limit)
# The rows each view shows of a person seeded by DUE_RULES, as the last one appears.
TODAY_ROWS = 3  # #3 overdue, #6 and #5 today
UPCOMING_ROWS = 5  # #6, #5, #7, #9, #10
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

DUE_SQL = """
SELECT number, title, description, status, created_at, updated_at, done_at, due_at,
       due_has_time, remind_at, recurrence
FROM tasks
WHERE username = (SELECT username FROM users WHERE telegram_id = $1)
  AND status IN ('pending', 'in_progress') AND due_at >= $2 AND due_at < $3
ORDER BY due_at, number
LIMIT $4
"""


def _window(days: int, *, overdue: bool) -> tuple[datetime, datetime]:
    """What `due_soon(person, days, overdue=...)` reads for a person in UTC."""
    midnight = today_midnight()
    return (_EARLIEST if overdue else midnight), midnight + timedelta(days=days)


def _view_args(days: int, *, overdue: bool) -> Callable[[int, int, Update], tuple[Any, ...]]:
    def args(person: int, _step: int, _update: Update) -> tuple[Any, ...]:
        start, end = _window(days, overdue=overdue)
        return (person, start, end, DUE_VIEW_SIZE)

    return args


TODAY = UseCase(
    name="/today",
    kind="message",
    marker="<b>#5</b> Task number 5",  # the last of its three rows
    update=lambda updates, person, _step: updates.message(person, "/today"),
    floor_sql=DUE_SQL,
    floor_args=_view_args(1, overdue=True),
    service_call=lambda service, person, _step: service.due_soon(person, 1, overdue=True),
)
UPCOMING = UseCase(
    name="/upcoming",
    kind="message",
    marker="<b>#10</b> Task number 10",  # the last of its five rows
    update=lambda updates, person, _step: updates.message(person, "/upcoming"),
    floor_sql=DUE_SQL,
    floor_args=_view_args(7, overdue=False),
    service_call=lambda service, person, _step: service.due_soon(person, 7, overdue=False),
)


# -- /add with a date phrase against /add without ----------------------------------------------

DATED_TEXT = "Call mom tomorrow at 9"
PLAIN_TEXT = "Call mom"
_SERVICE_MESSAGE_IDS = 1_600_000_000  # above the seeded ones, below the updates' own


def _service_add(text: str) -> Any:
    def call(service: TaskService, person: Person, step: int) -> Any:
        message = _SERVICE_MESSAGE_IDS + step
        return service.add_task(person, text, chat_id=person.telegram_id, message_id=message)

    return call


# ADD's floor fields stay (unused here: these two are measured against each other).
ADD_DATED = dataclasses.replace(
    ADD,
    name="/add with a date",
    marker="09:00 · tomorrow",  # the due date the bot read, in its reply
    update=lambda updates, person, _step: updates.message(person, f"/add {DATED_TEXT}"),
    service_call=_service_add(DATED_TEXT),
)
ADD_PLAIN = dataclasses.replace(
    ADD,
    name="/add without",
    marker=f"</b> {PLAIN_TEXT}",
    update=lambda updates, person, _step: updates.message(person, f"/add {PLAIN_TEXT}"),
    service_call=_service_add(PLAIN_TEXT),
)


@dataclass(frozen=True)
class DatedAdd:
    """`/add` with a date phrase against `/add` without, at concurrency 1."""

    backend: str
    dated: Summary
    plain: Summary
    round_ratios: tuple[float, ...]  # dated mean / plain mean, per round
    dated_statements: float
    plain_statements: float
    dated_bot_api_ms: float
    plain_bot_api_ms: float
    dated_service: Summary  # the same adds through TaskService alone
    plain_service: Summary
    dated_parse_us: float  # parse_due alone on the title, per call
    plain_parse_us: float

    @property
    def ratio(self) -> float:
        return statistics.median(self.round_ratios)


async def compare_dated_add(
    harness: Harness, *, updates: int, warmup: int, rounds: int
) -> DatedAdd:
    """Alternating rounds (fresh people each, TASKS_EACH tasks apiece): `/add` with the
    date phrase, then without, each warmed up; then both through the service alone."""
    timed = max(1, updates // rounds)
    dated: list[Summary] = []
    plain: list[Summary] = []
    dated_service: list[Summary] = []
    plain_service: list[Summary] = []
    sent = {ADD_DATED.name: [0.0, 0.0], ADD_PLAIN.name: [0.0, 0.0]}  # statements, Bot API ns
    for _round in range(rounds):
        for use_case, summaries in ((ADD_DATED, dated), (ADD_PLAIN, plain)):
            [person] = harness.people.take(1)
            await add_people(harness.engine, [person], TASKS_EACH)
            summary, counted = await run_real(harness, use_case, [person], warm=warmup, timed=timed)
            summaries.append(summary)
            sent[use_case.name][0] += counted["statements"]
            sent[use_case.name][1] += counted["bot_api_ns"]
        for use_case, summaries in ((ADD_DATED, dated_service), (ADD_PLAIN, plain_service)):
            [person] = harness.people.take(1)
            await add_people(harness.engine, [person], TASKS_EACH)
            summaries.append(await run_service(harness, use_case, person, warm=warmup, timed=timed))
    dated_all, plain_all = pooled(dated), pooled(plain)
    result = DatedAdd(
        backend=harness.database.backend,
        dated=dated_all,
        plain=plain_all,
        round_ratios=tuple(d.mean_ms / p.mean_ms for d, p in zip(dated, plain, strict=True)),
        dated_statements=sent[ADD_DATED.name][0] / dated_all.updates,
        plain_statements=sent[ADD_PLAIN.name][0] / plain_all.updates,
        dated_bot_api_ms=sent[ADD_DATED.name][1] / 1e6 / dated_all.updates,
        plain_bot_api_ms=sent[ADD_PLAIN.name][1] / 1e6 / plain_all.updates,
        dated_service=pooled(dated_service),
        plain_service=pooled(plain_service),
        dated_parse_us=parse_cost_us(DATED_TEXT, updates),
        plain_parse_us=parse_cost_us(PLAIN_TEXT, updates),
    )
    progress(
        f"{result.backend}: /add with a date {result.dated.mean_ms:.2f} ms, without "
        f"{result.plain.mean_ms:.2f} ms ({result.ratio:.2f}x)"
    )
    return result


def parse_cost_us(title: str, calls: int) -> float:
    """Microseconds per `parse_due` call on `title` (the service's first step on a title),
    in the UTC zone, the best of three batches."""
    utc = ZoneInfo("UTC")
    now = datetime.now(UTC)
    best = float("inf")
    for _batch in range(3):
        started = time.perf_counter_ns()
        for _ in range(calls):
            parse_due(title, now, utc)
        best = min(best, (time.perf_counter_ns() - started) / calls / 1e3)
    return best
