"""`/list` and a status change for people with few and with very many tasks: the cost of
either should not grow with a person's history."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import ErrorLog
from bench.databases import Database
from bench.floors import run_use_case_raw
from bench.harness import Harness
from bench.people import People
from bench.results import ScaleRun
from bench.seed import add_people
from bench.throughput import Lanes, measure
from bench.usecases import LIST, STATUS

_WARMUP = 10


async def run_scale(
    harness: Harness,
    engine: AsyncEngine,
    database: Database,
    people: People,
    errors: ErrorLog,
    *,
    sizes: tuple[int, ...],
    updates: int,
) -> list[ScaleRun]:
    runs = []
    for size in sizes:
        [person] = people.take(1)
        await add_people(engine, [person], size)
        await _settle(engine)
        list_run, list_trips = await measure(
            harness, engine, errors, Lanes(LIST, [person]), warm=_WARMUP, timed=updates
        )
        status_run, status_trips = await measure(
            harness, engine, errors, Lanes(STATUS, [person]), warm=_WARMUP, timed=updates
        )
        raw_list = raw_status = None
        if database.backend == "postgresql":
            raw_list, raw_status = [
                await run_use_case_raw(database, use_case, person, updates=updates, warmup=_WARMUP)
                for use_case in (LIST, STATUS)
            ]
        runs.append(
            ScaleRun(
                tasks=size,
                list_run=list_run,
                status_run=status_run,
                list_round_trips=list_trips.per(list_run.updates),
                status_round_trips=status_trips.per(status_run.updates),
                raw_list=raw_list,
                raw_status=raw_status,
            )
        )
    return runs


async def _settle(engine: AsyncEngine) -> None:
    """Vacuum after a bulk load, as autovacuum would soon after in a running bot (the
    counters' triggers leave one dead row version of `users` per task inserted)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE users, tasks"))
