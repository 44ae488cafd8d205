"""`python -m bench` (and `make bench`): options, the plan, the run, the report (see
bench/README.md). The report goes to stdout, progress to stderr."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import shlex
import signal
import sys
import tempfile
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.due import compare_dated_add
from bench.harness import (
    DEFAULT_POSTGRES_URL,
    Backend,
    Database,
    fresh_database,
    open_harness,
    postgres_version,
    progress,
)
from bench.memory import measure_memory
from bench.reminders import BATCH, DUE_IN_SCAN, run_delivery, run_scan
from bench.report import (
    BackendResults,
    Report,
    describe_machine,
    judge,
    render_report,
    scale_pairs,
    search_pair,
)
from bench.scale import run_scale
from bench.startup import measure_parser_import, measure_startup
from bench.usecases import USE_CASES, compare

BACKENDS: dict[str, list[Backend]] = {
    "postgresql": ["postgresql"],
    "sqlite": ["sqlite"],
    "both": ["postgresql", "sqlite"],
}


@dataclass(frozen=True)
class Plan:
    name: str
    # Concurrency -> (timed updates per use case, rounds they are split into).
    use_cases: dict[int, tuple[int, int]]
    warmup: int  # untimed updates per run first (caches, pool connections)
    scale_sizes: tuple[int, ...]
    scale_updates: int
    start_repeats: int
    import_repeats: int  # the parser's import, and a bare interpreter, each
    memory_people: tuple[int, int]
    reminders: int  # due at once, delivered on PostgreSQL (judged)
    sqlite_reminders: int  # at most so many on SQLite (shown); 0: no reminder section there
    scan_sizes: dict[Backend, tuple[int, int]]  # the due scan: the small and the large table
    scan_runs: int  # timed claims per case, size and round
    scan_rounds: int


FULL = Plan(
    name="full",
    use_cases={1: (1000, 5), 10: (1000, 2), 50: (1000, 2)},
    warmup=100,
    scale_sizes=(10, 1_000, 100_000),
    scale_updates=200,
    start_repeats=3,
    import_repeats=5,
    memory_people=(10, 10_000),
    reminders=10_000,
    sqlite_reminders=500,
    scan_sizes={"postgresql": (1_000, 1_000_000), "sqlite": (1_000, 100_000)},
    scan_runs=25,
    scan_rounds=8,
)
QUICK = Plan(
    name="quick",
    use_cases={1: (100, 2), 10: (100, 1), 50: (100, 1)},
    warmup=20,
    scale_sizes=(10, 1_000, 10_000),
    scale_updates=30,
    start_repeats=1,
    import_repeats=3,
    memory_people=(10, 300),
    reminders=100,
    sqlite_reminders=0,
    scan_sizes={"postgresql": (1_000, 10_000)},
    scan_runs=10,
    scan_rounds=2,
)


async def run(
    plan: Plan,
    backends: list[Backend],
    *,
    postgres_url: str,
    command: str,
    reminders_only: bool = False,
    scale_only: bool = False,
) -> Report:
    started = time.perf_counter()
    postgres = await postgres_version(postgres_url) if "postgresql" in backends else None
    report = Report(command, plan.name, describe_machine(postgres))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            if reminders_only:
                results = BackendResults(backend)
            else:
                async with fresh_database(
                    backend, postgres_url=postgres_url, workdir=workdir
                ) as db:
                    results = await run_backend(db, plan, scale_only=scale_only)
            if not scale_only:
                await run_reminders(results, plan, postgres_url=postgres_url, workdir=workdir)
            report.backends.append(results)
        if reminders_only or scale_only:
            return _finish(report, started)
        # Start-up and memory on a fresh database of the first backend (the production one).
        async with fresh_database(backends[0], postgres_url=postgres_url, workdir=workdir) as db:
            progress(f"{db.backend}: start-up, {plan.start_repeats} run(s) each")
            report.startup = await measure_startup(db, repeats=plan.start_repeats, workdir=workdir)
            progress(f"the due-date parser's import, {plan.import_repeats} run(s) each")
            report.parser_import = await measure_parser_import(
                repeats=plan.import_repeats, workdir=workdir
            )
            few, many = plan.memory_people
            progress(f"{db.backend}: memory after {few} and {many:,} people")
            report.memory = await measure_memory(db, few=few, many=many)
    return _finish(report, started)


def _finish(report: Report, started: float) -> Report:
    report.verdicts = judge(report)
    report.load_after = os.getloadavg()
    report.seconds = time.perf_counter() - started
    return report


async def run_reminders(
    results: BackendResults, plan: Plan, *, postgres_url: str, workdir: Path
) -> None:
    """The reminder worker (issue 14): delivery within Telegram's limits, each backend on a
    fresh database; then the due scan on a small and a large table."""
    backend: Backend = "postgresql" if results.backend == "postgresql" else "sqlite"
    reminders = (
        plan.reminders if backend == "postgresql" else min(plan.reminders, plan.sqlite_reminders)
    )
    if reminders > 0:
        async with (
            fresh_database(backend, postgres_url=postgres_url, workdir=workdir) as db,
            open_harness(db) as harness,
        ):
            results.delivery = await run_delivery(harness, reminders)
        delivery = results.delivery
        progress(
            f"{backend}: {delivery.delivered:,} delivered at {delivery.per_second:.1f}/s, "
            f"{delivery.too_many} answered 429, {delivery.duplicates} duplicates, "
            f"{delivery.lost} lost"
        )
    sizes = plan.scan_sizes.get(backend)
    if sizes is not None:
        results.scan = await run_scan(
            backend,
            sizes,
            runs=plan.scan_runs,
            rounds=plan.scan_rounds,
            postgres_url=postgres_url,
            workdir=workdir,
        )
        scan = results.scan
        progress(
            f"{backend}: claim_reminders({BATCH}) at {sizes[1]:,} vs {sizes[0]:,} tasks: "
            f"{scan.idle_ratio:.2f}x nothing due, {scan.due_ratio:.2f}x {DUE_IN_SCAN} due"
        )


async def run_backend(
    database: Database, plan: Plan, *, scale_only: bool = False
) -> BackendResults:
    results = BackendResults(database.backend)
    async with open_harness(database) as harness:
        if scale_only:
            results.scale = await run_scale(
                harness, sizes=plan.scale_sizes, updates=plan.scale_updates
            )
            return results
        for use_case in USE_CASES:
            for concurrency, (updates, rounds) in plan.use_cases.items():
                comparison = await compare(
                    harness,
                    use_case,
                    concurrency=concurrency,
                    updates=updates,
                    warmup=plan.warmup,
                    rounds=rounds,
                )
                progress(
                    f"{database.backend}: {use_case.name} at concurrency {concurrency}: "
                    f"{comparison.real.mean_ms:.2f} ms, floor {comparison.floor.mean_ms:.2f} ms"
                )
                results.comparisons.append(comparison)
        updates, rounds = plan.use_cases[1]
        results.dated_add = await compare_dated_add(
            harness, updates=updates, warmup=plan.warmup, rounds=rounds
        )
        results.scale = await run_scale(harness, sizes=plan.scale_sizes, updates=plan.scale_updates)
    return results


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the bot's use cases against their floors (see bench/README.md).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: every section, few updates"
    )
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="both")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save every number here")
    parser.add_argument(
        "--reminders",
        type=int,
        metavar="N",
        help="reminders due at once in the delivery run (default: 10000; 100 with --quick; "
        "SQLite takes at most 500)",
    )
    parser.add_argument(
        "--reminders-only",
        action="store_true",
        help="run the reminder section alone (delivery and the due scan)",
    )
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="run one person's list-size section alone (/list, a status change, /today, "
        "/upcoming and /find at each size)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL),
        help="the server where the run creates (and drops) its databases "
        "(default: $BENCH_DATABASE_URL or %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    plan = QUICK if args.quick else FULL
    if args.reminders is not None:
        if args.reminders < 1:
            print("--reminders takes a positive number", file=sys.stderr)
            return 2
        plan = dataclasses.replace(plan, reminders=args.reminders)
    coroutine = run(
        plan,
        BACKENDS[args.backend],
        postgres_url=args.postgres_url,
        command=command,
        reminders_only=args.reminders_only,
        scale_only=args.scale_only,
    )
    try:
        report = asyncio.run(_cancellable(coroutine))
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Connections cut by the database's drop report unread errors as they are collected.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print("\ninterrupted", file=sys.stderr)
        return 130
    print(render_report(report), end="")
    if args.json is not None:
        args.json.write_text(json.dumps(_jsonable(report), indent=2) + "\n")
    return 0


async def _cancellable(coroutine: Coroutine[Any, Any, Report]) -> Report:
    """SIGTERM cancels the run as Ctrl+C does, so the `finally`s drop the databases and stop
    the child processes."""
    task = asyncio.ensure_future(coroutine)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await task


def _jsonable(report: Report) -> dict[str, Any]:
    """The dataclasses as they are, plus the ratios the targets are judged on."""
    data = dataclasses.asdict(report)
    for backend, results in zip(data["backends"], report.backends, strict=True):
        for entry, comparison in zip(backend["comparisons"], results.comparisons, strict=True):
            entry["ratio"] = comparison.ratio
        if len(results.scale) >= 2:
            backend["scale_ratios"] = {
                name: most.mean_ms / few.mean_ms for name, few, most in scale_pairs(results)
            }
        if (pair := search_pair(results)) is not None:
            base, most = pair
            backend["search_ratios"] = {
                "find": most.find_real.mean_ms / base.find_real.mean_ms,
                "every": most.every_real.mean_ms / base.every_real.mean_ms,
            }
        if results.dated_add is not None:
            backend["dated_add"]["ratio"] = results.dated_add.ratio
        if results.delivery is not None:
            backend["delivery"]["per_second"] = results.delivery.per_second
            backend["delivery"]["share_of_rate"] = results.delivery.share_of_rate
        if results.scan is not None:
            backend["scan"]["idle_ratio"] = results.scan.idle_ratio
            backend["scan"]["due_ratio"] = results.scan.due_ratio
    if report.startup is not None:
        data["startup"]["ratio"] = report.startup.ratio
    if report.parser_import is not None:
        data["parser_import"]["cost_s"] = report.parser_import.cost_s
        data["parser_import"]["own_median_ms"] = report.parser_import.own_median_ms
        if report.startup is not None:
            bare_bot = report.startup.bare_median
            data["parser_import"]["share_of_bare_bot"] = report.parser_import.cost_s / bare_bot
    if report.memory is not None:
        data["memory"]["growth_mb"] = report.memory.growth_mb
    return data


if __name__ == "__main__":
    sys.exit(main())
