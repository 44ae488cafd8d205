"""Resident memory after 10 and after 10 000 distinct people each sent one update, in a
process of its own (so nothing else the run did is counted).

    python -m bench.memory DATABASE_URL FEW MANY    # the probe; prints JSON

The probe builds the bot as the other sections do, with the bot's default settings (the
rate limit included: one update per person is far below it), and feeds the real dispatcher
20 updates at a time (MAX_CONCURRENT_UPDATES' default). Each new person sends `/add`: the
bot registers them, adds the task and answers. VmRSS after `gc.collect()`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Backend, BenchmarkError, Database, Harness, People, open_harness

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_CONCURRENCY = 20
_FIRST_PERSON = 8_000_000_000  # none of the other sections' people


@dataclass(frozen=True)
class MemoryResult:
    backend: str
    few_people: int
    many_people: int
    few_rss_mb: float
    many_rss_mb: float

    @property
    def growth_mb(self) -> float:
        return self.many_rss_mb - self.few_rss_mb


async def measure_memory(database: Database, *, few: int, many: int) -> MemoryResult:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.memory",
        database.url,
        str(few),
        str(many),
        cwd=_PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise BenchmarkError(f"memory probe failed:\n{stderr.decode(errors='replace')[-3000:]}")
    numbers = json.loads(stdout.decode().strip().splitlines()[-1])
    return MemoryResult(
        database.backend, few, many, float(numbers["few_rss_mb"]), float(numbers["many_rss_mb"])
    )


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024  # in kB there
    raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")


async def _serve(harness: Harness, people: Sequence[int]) -> None:
    """Each person sends one /add; updates are built as they go, none kept."""

    async def lane(lane_people: Sequence[int]) -> None:
        for person in lane_people:
            update = harness.updates.message(person, "/add Remember the milk")
            await harness.dispatcher.feed_update(harness.bot, update)

    async with asyncio.TaskGroup() as group:
        for index in range(_CONCURRENCY):
            group.create_task(lane(people[index::_CONCURRENCY]))


async def probe(database_url: str, few: int, many: int) -> dict[str, float]:
    backend: Backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    async with open_harness(Database(backend, database_url), unlimited=False) as harness:
        people = People(_FIRST_PERSON)
        await _serve(harness, people.take(few))
        gc.collect()
        few_rss = rss_mb()
        await _serve(harness, people.take(many - few))
        gc.collect()
        many_rss = rss_mb()
        if harness.session.calls != {"sendMessage": many}:
            raise BenchmarkError(f"memory probe: Bot API calls {dict(harness.session.calls)}")
        harness.errors.check("memory probe")
    return {"few_rss_mb": few_rss, "many_rss_mb": many_rss}


def main(argv: Sequence[str]) -> None:
    database_url, few, many = argv[0], int(argv[1]), int(argv[2])
    print(json.dumps(asyncio.run(probe(database_url, few, many))))


if __name__ == "__main__":
    main(sys.argv[1:])
