"""One benchmark run: each backend's sections on a fresh database, then start-up and memory
on another fresh one (PostgreSQL when it is part of the run)."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import ErrorLog
from bench.databases import Backend, Database, asyncpg_dsn, fresh_database, postgres_version
from bench.floors import run_sql_floor
from bench.harness import Harness, build_harness
from bench.machine import Machine, describe_machine
from bench.memory import measure_memory
from bench.people import People
from bench.plan import Plan
from bench.results import BackendResults, Floor, Report
from bench.scale import run_scale
from bench.startup import measure_startup
from bench.stats import pooled
from bench.targets import judge
from bench.throughput import run_bare, run_minimal_bot, run_reply_floor, run_use_case
from bench.usecases import ADD, USE_CASES, UseCase
from bot.config import DatabaseSettings
from bot.db import create_engine

_STARTED = time.monotonic()


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds the report alone."""
    print(f"[bench {time.monotonic() - _STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


async def run(plan: Plan, backends: list[Backend], *, postgres_url: str, command: str) -> Report:
    started = time.perf_counter()
    version = None
    if "postgresql" in backends:
        version = await postgres_version(asyncpg_dsn(postgres_url))
    report = Report(command, plan.name, describe_machine(version))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            async with fresh_database(backend, postgres_url=postgres_url, workdir=workdir) as db:
                report.backends.append(await run_backend(db, plan))
        async with fresh_database(backends[0], postgres_url=postgres_url, workdir=workdir) as db:
            progress(f"{db.backend}: start-up, {plan.start_repeats} run(s) each")
            report.startup = await measure_startup(db, repeats=plan.start_repeats, workdir=workdir)
            few, many = plan.memory_people
            progress(f"{db.backend}: memory after {few} and {many:,} people")
            report.memory = await measure_memory(db, few=few, many=many)
    report.verdicts = judge(report.backends, report.startup, report.memory)
    report.machine = _with_load_after(report)
    report.seconds = time.perf_counter() - started
    return report


async def run_backend(database: Database, plan: Plan) -> BackendResults:
    engine = create_engine(DatabaseSettings(database_url=database.url))
    errors = ErrorLog().install()
    try:
        harness, people = build_harness(engine), People()
        results = BackendResults(database.backend)
        await _use_cases(results, database, engine, harness, people, errors, plan)
        sizes = ", ".join(f"{size:,}" for size in plan.scale_sizes)
        progress(f"{database.backend}: one person with {sizes} tasks")
        results.scale = await run_scale(
            harness,
            engine,
            database,
            people,
            errors,
            sizes=plan.scale_sizes,
            updates=plan.scale_updates,
        )
        return results
    finally:
        logging.getLogger().removeHandler(errors)
        await engine.dispose()


async def _use_cases(
    results: BackendResults,
    database: Database,
    engine: AsyncEngine,
    harness: Harness,
    people: People,
    errors: ErrorLog,
    plan: Plan,
) -> None:
    for use_case in USE_CASES:
        runs = []
        for concurrency, updates in plan.updates.items():
            run = await run_use_case(
                harness,
                engine,
                people,
                errors,
                use_case,
                concurrency=concurrency,
                updates=updates,
                warmup=plan.warmup,
            )
            progress(
                f"{database.backend}: {use_case.name} at concurrency {concurrency}: "
                f"{run.summary.per_second:,.0f} updates/s"
            )
            runs.append(run)
        if use_case is ADD:
            runs.append(
                await run_use_case(
                    harness,
                    engine,
                    people,
                    errors,
                    use_case,
                    concurrency=plan.same_person_concurrency,
                    updates=plan.updates[plan.same_person_concurrency],
                    warmup=plan.warmup,
                    same_person=True,
                )
            )
        results.use_cases += runs
        progress(f"{database.backend}: {use_case.name} against its floors")
        results.floors.append(
            await _floor(database, engine, harness, people, errors, use_case, plan)
        )


async def _floor(
    database: Database,
    engine: AsyncEngine,
    harness: Harness,
    people: People,
    errors: ErrorLog,
    use_case: UseCase,
    plan: Plan,
) -> Floor:
    """The use case and its floors in alternating rounds, so that the machine's drift (this
    one's speed wanders by a third within minutes) weighs on every column alike."""
    updates = max(1, plan.floor_updates // plan.floor_rounds)
    real, bare, raw, reply, minimal = [], [], [], [], []
    for _round in range(plan.floor_rounds):
        run = await run_use_case(
            harness,
            engine,
            people,
            errors,
            use_case,
            concurrency=1,
            updates=updates,
            warmup=plan.warmup,
        )
        real.append(run.summary)
        bare.append(await run_bare(harness, people, use_case, updates=updates, warmup=plan.warmup))
        if database.backend == "postgresql":
            raw.append(
                await run_sql_floor(
                    database, engine, people, use_case, updates=updates, warmup=plan.warmup
                )
            )
            minimal.append(
                await run_minimal_bot(
                    harness,
                    database,
                    engine,
                    people,
                    use_case,
                    updates=updates,
                    warmup=plan.warmup,
                )
            )
        reply.append(
            await run_reply_floor(
                harness, engine, people, use_case, updates=updates, warmup=plan.warmup
            )
        )
    floors = minimal or bare  # SQLite has no raw statement: its floor is bare dispatch
    return Floor(
        use_case.name,
        pooled(real),
        pooled(bare),
        pooled(raw) if raw else None,
        pooled(reply),
        pooled(minimal) if minimal else None,
        tuple(ours.mean_ms / floor.mean_ms for ours, floor in zip(real, floors, strict=True)),
    )


def _with_load_after(report: Report) -> Machine:
    return dataclasses.replace(report.machine, load_after=os.getloadavg())
