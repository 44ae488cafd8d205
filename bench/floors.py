"""The SQL floor: each use case's own statement (the one TaskService runs for it on
PostgreSQL, from bot/services/statements.py, compiled by bot.db.raw.compile_raw), prepared once
and run on one plain asyncpg connection (autocommit, so one round trip each). The database does
the same work as in the real run; what the floor leaves out is everything in Python around it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import asyncpg
from asyncpg.prepared_stmt import PreparedStatement
from sqlalchemy import Executable
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import BenchmarkError
from bench.databases import Database
from bench.load import drive
from bench.people import People
from bench.seed import add_people
from bench.stats import Summary, summarise
from bench.usecases import UseCase
from bot.db.raw import RawStatement, compile_raw

# The dialect of the bot's PostgreSQL engine, which compiles to asyncpg's `$n` parameters.
_ASYNCPG = make_url("postgresql+asyncpg://").get_dialect()()


@asynccontextmanager
async def prepared_statement(
    dsn: str, statement: Executable
) -> AsyncIterator[tuple[RawStatement, PreparedStatement]]:
    """`statement` compiled as the bot compiles it, prepared on a plain asyncpg connection
    (autocommit, so one round trip per run) that is closed afterwards."""
    raw = compile_raw(statement, _ASYNCPG)
    connection = await asyncpg.connect(dsn)
    try:
        yield raw, await connection.prepare(raw.sql)
    finally:
        await connection.close()


async def run_raw(
    dsn: str,
    name: str,
    statement: Executable,
    params: Sequence[Mapping[str, Any]],
    *,
    warmup: int,
) -> Summary:
    """Run `statement` once per parameter set at concurrency 1; time all but the first
    `warmup` (which also prove the statement returns rows)."""
    async with prepared_statement(dsn, statement) as (raw, prepared):
        args = [raw.arguments(step) for step in params]
        for step_args in args[:warmup]:
            if not await prepared.fetch(*step_args):
                raise BenchmarkError(f"raw statement for {name} returned no rows: {step_args}")
        sample = await drive([[partial(prepared.fetch, *a) for a in args[warmup:]]])
    return summarise(sample)


async def run_sql_floor(
    database: Database,
    engine: AsyncEngine,
    people: People,
    use_case: UseCase,
    *,
    updates: int,
    warmup: int,
) -> Summary:
    """The use case's raw statement for fresh people with the same data as the real run."""
    [person] = people.take(1)
    await add_people(engine, [person], use_case.tasks_for(warmup + updates))
    return await run_use_case_raw(database, use_case, person, updates=updates, warmup=warmup)


async def run_use_case_raw(
    database: Database, use_case: UseCase, person: int, *, updates: int, warmup: int
) -> Summary:
    """The use case's raw statement for `person` (whose data is in place), step by step."""
    params = [use_case.raw_params(person, step) for step in range(warmup + updates)]
    return await run_raw(database.dsn, use_case.name, use_case.raw_statement, params, warmup=warmup)
