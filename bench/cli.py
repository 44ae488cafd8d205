"""`python -m bench`: options, the run, the report on stdout, and --json."""

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
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from bench import leftovers
from bench.databases import DEFAULT_POSTGRES_URL, Backend, drop_leftovers
from bench.plan import FULL, QUICK
from bench.report import render_report
from bench.results import Report
from bench.runner import run

BACKENDS: dict[str, list[Backend]] = {
    "postgresql": ["postgresql"],
    "sqlite": ["sqlite"],
    "both": ["postgresql", "sqlite"],
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the bot's use cases against their floors (see bench/README.md).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: every section with few updates (~45 s, ~30 s for one backend)",
    )
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="both")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save raw numbers here")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL),
        help="server where the run creates (and then drops) its databases "
        "(default: $BENCH_DATABASE_URL or %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    plan = QUICK if args.quick else FULL
    try:
        report = asyncio.run(
            _cancellable(
                run(plan, BACKENDS[args.backend], postgres_url=args.postgres_url, command=command)
            )
        )
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Connections cut mid-query by the drop report unread errors as they are collected.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        _sweep()
    print(render_report(report), end="")
    if args.json is not None:
        args.json.write_text(json.dumps(_jsonable(report), indent=2) + "\n")
    return 0


def _sweep() -> None:
    """Whatever an interrupted section could not remove itself."""
    leftovers.kill_children()
    if leftovers.databases:
        names = ", ".join(leftovers.databases)
        print(f"dropping what an interrupted run left: {names}", file=sys.stderr)
        asyncio.run(drop_leftovers())


async def _cancellable(coroutine: Coroutine[Any, Any, Report]) -> Report:
    """SIGTERM cancels the run like Ctrl+C does, so the `finally`s drop the databases (each
    SIGTERM cancels again, should one be lost)."""
    task = asyncio.ensure_future(coroutine)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await task


def _jsonable(report: Report) -> dict[str, Any]:
    """The dataclasses as they are, plus the ratios the targets are judged on."""
    data = dataclasses.asdict(report)
    for backend, results in zip(data["backends"], report.backends, strict=True):
        for floor, measured in zip(backend["floors"], results.floors, strict=True):
            floor.update(
                floor_ms=measured.floor_ms,
                ratio=measured.ratio,
                pooled_ratio=measured.pooled_ratio,
                parts_ms=measured.parts_ms,
                parts_ratio=measured.parts_ratio,
                reply_floor_ms=measured.reply_floor_ms,
                reply_ratio=measured.reply_ratio,
            )
    if report.startup is not None:
        data["startup"]["ratio"] = report.startup.ratio
    if report.memory is not None:
        data["memory"]["growth_mb"] = report.memory.growth_mb
    return data
