"""Run in a process of its own by memory.py: the real dispatcher serves `few` new people,
then more up to `many`, each sending one /add and one /list; prints resident memory after
each as JSON. A clean process, so nothing else the benchmark did is in the numbers.

    python -m bench.memory_probe DATABASE_URL FEW MANY
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from collections.abc import Sequence

from bench.checks import ErrorLog, check_calls
from bench.harness import Harness, build_harness, default_settings
from bench.people import People
from bot.config import DatabaseSettings
from bot.db import create_engine

# The bot's default MAX_CONCURRENT_UPDATES: as many updates at once as it would handle.
_CONCURRENCY = 20


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024  # reported in kB
    raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")


async def serve(harness: Harness, people: Sequence[int]) -> None:
    """Each person adds a task and lists; updates are built as they go (none kept)."""

    async def lane(lane_people: Sequence[int]) -> None:
        for person in lane_people:
            for text in ("/add Remember the milk", "/list"):
                await harness.real.feed_update(harness.bot, harness.updates.message(person, text))

    async with asyncio.TaskGroup() as group:
        for index in range(_CONCURRENCY):
            group.create_task(lane(people[index::_CONCURRENCY]))


async def probe(database_url: str, few: int, many: int) -> dict[str, float]:
    errors = ErrorLog().install()
    engine = create_engine(DatabaseSettings(database_url=database_url))
    try:
        # Production defaults here: two updates per person are far below the rate limit.
        harness = build_harness(engine, default_settings())
        people = People()
        await serve(harness, people.take(few))
        gc.collect()
        few_rss = rss_mb()
        await serve(harness, people.take(many - few))
        gc.collect()
        many_rss = rss_mb()
    finally:
        await engine.dispose()
    check_calls(harness.session, {"sendMessage": 2 * many}, "memory probe")
    errors.check("memory probe")
    return {"few_rss_mb": few_rss, "many_rss_mb": many_rss}


def main(argv: Sequence[str]) -> None:
    database_url, few, many = argv[0], int(argv[1]), int(argv[2])
    print(json.dumps(asyncio.run(probe(database_url, few, many))))


if __name__ == "__main__":
    main(sys.argv[1:])
