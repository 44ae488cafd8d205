"""Where one use case's time goes: `python -m bench.hotspots [--backend B] [--updates N] [NAME...]`.

Runs use cases at concurrency 1 through the real dispatcher under cProfile and sums each
function's own time by the package it belongs to, so the split holds for coroutines too
(cProfile counts every resumption of a coroutine as a call, which muddles cumulative times).
Time in the event loop's `select` is time spent waiting, here for the database.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import ErrorLog
from bench.databases import DEFAULT_POSTGRES_URL, Backend, fresh_database
from bench.harness import Harness, build_harness
from bench.load import drive
from bench.people import People
from bench.seed import add_people
from bench.throughput import Lanes
from bench.usecases import USE_CASES, UseCase
from bot.config import DatabaseSettings
from bot.db import create_engine

_WARMUP = 100
_POSTGRES = os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
# Path fragments, most specific first: the first that matches names a function's package.
_PACKAGES = (
    ("select.epoll", "waiting (event loop select: database I/O)"),
    ("/bench/", "bench (the canned session, the driver)"),
    ("/bot/", "bot (handlers, middlewares, service, rendering)"),
    ("/aiogram/client/", "aiogram Bot API calls (serialise, check the answer)"),
    ("/aiogram/dispatcher/", "aiogram dispatch (routers, observers, middlewares)"),
    ("/aiogram/fsm/", "aiogram dispatch (routers, observers, middlewares)"),
    ("/aiogram/filters/", "aiogram filters and callback data"),
    ("/aiogram/utils/", "aiogram utils (i18n, keyboard builder)"),
    ("/aiogram/", "aiogram types and methods"),
    ("pydantic", "pydantic"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("asyncpg", "asyncpg"),
    ("aiosqlite", "aiosqlite and sqlite3"),
    ("sqlite3", "aiosqlite and sqlite3"),
    ("/asyncio/", "asyncio"),
    ("greenlet", "SQLAlchemy"),
)


_OTHER = "other"


def package_of(where: str) -> str:
    for fragment, package in _PACKAGES:
        if fragment in where:
            return package
    return _OTHER


Key = tuple[str, int, str]


class _Owners:
    """Which package a function's own time belongs to. A builtin or stdlib function (isinstance,
    urlencode) is charged to whoever called it, following callers up to a known package."""

    def __init__(self, raw: dict[Key, Any]) -> None:
        self._raw = raw
        self._memo: dict[Key, str] = {}

    def of(self, key: Key, seen: frozenset[Key] = frozenset()) -> str:
        if key not in self._memo:
            package = package_of(_where(key))
            callers = self._raw.get(key, (0, 0, 0, 0, {}))[4]
            if package == _OTHER and callers and key not in seen:
                heaviest = max(callers, key=lambda caller: callers[caller][2])
                package = self.of(heaviest, seen | {key})
            self._memo[key] = package
        return self._memo[key]

    def split(self, key: Key) -> dict[str, float]:
        """Own time of `key` by package: its own, or shared out among its callers."""
        _cc, _nc, own, _cum, callers = self._raw[key]
        if package_of(_where(key)) != _OTHER or not callers:
            return {self.of(key): own}
        shares: dict[str, float] = defaultdict(float)
        for caller, (_ccc, _cnc, caller_own, _ccum) in callers.items():
            shares[self.of(caller)] += caller_own
        return shares


def _where(key: Key) -> str:
    path, line, function = key
    return f"{path}:{line}({function})"


async def profile(backend: Backend, use_cases: list[UseCase], updates: int) -> None:
    errors = ErrorLog().install()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        async with fresh_database(backend, postgres_url=_POSTGRES, workdir=workdir) as database:
            engine = create_engine(DatabaseSettings(database_url=database.url))
            try:
                harness, people = build_harness(engine), People()
                for use_case in use_cases:
                    stats = await _profile_one(harness, engine, people, use_case, updates)
                    errors.check(use_case.name)
                    print(_split(use_case.name, stats, updates))
            finally:
                await engine.dispose()


async def _profile_one(
    harness: Harness, engine: AsyncEngine, people: People, use_case: UseCase, updates: int
) -> pstats.Stats:
    lanes = Lanes.fresh(people, use_case, 1, same_person=False)
    await add_people(engine, lanes.everyone(), use_case.tasks_for(_WARMUP + updates))
    await drive(lanes.calls(harness, harness.real, range(_WARMUP)))
    calls = lanes.calls(harness, harness.real, range(_WARMUP, _WARMUP + updates))
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    await drive(calls)
    profiler.disable()
    return pstats.Stats(profiler)


def _split(name: str, stats: pstats.Stats, updates: int) -> str:
    per_package: dict[str, float] = defaultdict(float)
    functions: list[tuple[float, str]] = []
    raw: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
    owners = _Owners(raw)
    for key, (_cc, _nc, own, _cum, _callers) in raw.items():
        for package, seconds in owners.split(key).items():
            per_package[package] += seconds
        functions.append((own, _where(key)))
    total = sum(per_package.values())
    lines = [f"{name}: {total * 1000 / updates:.2f} ms per update under cProfile"]
    for package, seconds in sorted(per_package.items(), key=lambda item: -item[1]):
        lines.append(
            f"  {seconds * 1000 / updates:6.2f} ms {100 * seconds / total:5.1f}%  {package}"
        )
    lines.append("  heaviest functions (own time):")
    for seconds, where in sorted(functions, reverse=True)[:12]:
        short = where.split("site-packages/")[-1].split("/work/main/")[-1]
        lines.append(f"  {seconds * 1000 / updates:6.3f} ms  {short}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots", description=__doc__)
    parser.add_argument("names", nargs="*", help="use cases (default: all)")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--updates", type=int, default=500)
    args = parser.parse_args()
    chosen = [u for u in USE_CASES if not args.names or u.name in args.names]
    asyncio.run(profile(args.backend, chosen, args.updates))


if __name__ == "__main__":
    main()
