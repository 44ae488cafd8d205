"""`/list` and a status change for one person with 10, 1 000 and 100 000 tasks: neither
should cost more as a person's history grows. On PostgreSQL each also runs through its
minimal-bot floor, for the same person, so a slow plan shows in the floor too."""

from __future__ import annotations

from dataclasses import dataclass

from bench.harness import Harness, Summary, add_people, progress, settle
from bench.usecases import LIST, STATUS, floor_connections, run_floor, run_real

_WARMUP = 10


@dataclass(frozen=True)
class ScaleRun:
    tasks: int
    list_real: Summary
    status_real: Summary
    list_statements: float
    status_statements: float
    list_floor: Summary | None
    status_floor: Summary | None


async def run_scale(harness: Harness, *, sizes: tuple[int, ...], updates: int) -> list[ScaleRun]:
    runs = []
    for size in sizes:
        progress(f"{harness.database.backend}: one person with {size:,} tasks")
        [person] = harness.people.take(1)
        await add_people(harness.engine, [person], size)
        await settle(harness.engine)
        list_real, list_sent = await run_real(harness, LIST, [person], warm=_WARMUP, timed=updates)
        status_real, status_sent = await run_real(
            harness, STATUS, [person], warm=_WARMUP, timed=updates
        )
        list_floor = status_floor = None
        if harness.database.backend == "postgresql":
            async with floor_connections(harness.database.dsn, 1) as connections:
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
            )
        )
    return runs
