"""`/list`, a status change, `/today`, `/upcoming` and `/find` for one person with 10, 1 000
and 100 000 tasks: none should cost more as a person's history grows. The person's tasks
carry due dates (DUE_RULES in harness.py: a third dated from 1 000 on, a handful due this
week), and five are about the dentist (bench/search.py). On PostgreSQL each also runs
through its minimal-bot floor, for the same person, so a slow plan shows in the floor too."""

from __future__ import annotations

from dataclasses import dataclass

from bench.due import TODAY, UPCOMING
from bench.harness import Harness, Summary, add_people, progress, settle
from bench.search import FIND, FIND_EVERY, add_search_targets
from bench.usecases import (
    LIST,
    STATUS,
    FloorConnections,
    UseCase,
    floor_connections,
    run_floor,
    run_real,
)

_WARMUP = 10
_EVERY_WARMUP = 3


@dataclass(frozen=True)
class ScaleRun:
    tasks: int
    list_real: Summary
    status_real: Summary
    list_statements: float
    status_statements: float
    list_floor: Summary | None
    status_floor: Summary | None
    today_real: Summary
    upcoming_real: Summary
    today_statements: float
    upcoming_statements: float
    today_floor: Summary | None
    upcoming_floor: Summary | None
    find_real: Summary
    find_statements: float
    find_floor: Summary | None
    every_real: Summary  # /find, a word in every task: shown, not judged
    every_statements: float


async def run_scale(harness: Harness, *, sizes: tuple[int, ...], updates: int) -> list[ScaleRun]:
    runs = []
    for size in sizes:
        progress(f"{harness.database.backend}: one person with {size:,} tasks")
        [person] = harness.people.take(1)
        await add_people(harness.engine, [person], size, dated=True)
        await add_search_targets(harness.engine, person, size)
        await settle(harness.engine)
        list_real, list_sent = await run_real(harness, LIST, [person], warm=_WARMUP, timed=updates)
        status_real, status_sent = await run_real(
            harness, STATUS, [person], warm=_WARMUP, timed=updates
        )
        today_real, today_sent = await run_real(
            harness, TODAY, [person], warm=_WARMUP, timed=updates
        )
        upcoming_real, upcoming_sent = await run_real(
            harness, UPCOMING, [person], warm=_WARMUP, timed=updates
        )
        find_real, find_sent = await run_real(harness, FIND, [person], warm=_WARMUP, timed=updates)
        # Every task matches: each update ranks them all, so fewer of them.
        every_real, every_sent = await run_real(
            harness, FIND_EVERY, [person], warm=_EVERY_WARMUP, timed=max(10, updates // 4)
        )
        list_floor = status_floor = today_floor = upcoming_floor = find_floor = None
        if harness.database.backend == "postgresql":
            async with floor_connections(harness.database.dsn, 1) as connections:
                today_floor = await _floor(harness, TODAY, person, connections, updates)
                upcoming_floor = await _floor(harness, UPCOMING, person, connections, updates)
                find_floor = await _floor(harness, FIND, person, connections, updates)
                list_floor = await run_floor(
                    harness, LIST, [person], connections, warm=_WARMUP, timed=updates
                )
                # Steps go on from the real run's, so every press still changes the status.
                status_floor = await run_floor(
                    harness,
                    STATUS,
                    [person],
                    connections,
                    warm=_WARMUP,
                    timed=updates,
                    start=_WARMUP + updates,
                )
        runs.append(
            ScaleRun(
                tasks=size,
                list_real=list_real,
                status_real=status_real,
                list_statements=list_sent["statements"] / list_real.updates,
                status_statements=status_sent["statements"] / status_real.updates,
                list_floor=list_floor,
                status_floor=status_floor,
                today_real=today_real,
                upcoming_real=upcoming_real,
                today_statements=today_sent["statements"] / today_real.updates,
                upcoming_statements=upcoming_sent["statements"] / upcoming_real.updates,
                today_floor=today_floor,
                upcoming_floor=upcoming_floor,
                find_real=find_real,
                find_statements=find_sent["statements"] / find_real.updates,
                find_floor=find_floor,
                every_real=every_real,
                every_statements=every_sent["statements"] / every_real.updates,
            )
        )
    return runs


async def _floor(
    harness: Harness, use_case: UseCase, person: int, connections: FloorConnections, updates: int
) -> Summary:
    return await run_floor(harness, use_case, [person], connections, warm=_WARMUP, timed=updates)
