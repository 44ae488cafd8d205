"""Resident memory after a few and after many distinct people used the bot, measured in a
fresh process (memory_probe.py) so nothing else this run did is counted."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bench import leftovers
from bench.databases import Database
from bench.results import MemoryResult

_PROJECT_ROOT = Path(__file__).resolve().parents[1]


async def measure_memory(database: Database, *, few: int, many: int) -> MemoryResult:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.memory_probe",
        database.url,
        str(few),
        str(many),
        cwd=_PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    leftovers.children.add(process.pid)
    try:
        stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        leftovers.children.discard(process.pid)
    if process.returncode != 0:
        raise RuntimeError(f"memory probe failed:\n{stderr.decode(errors='replace')[-3000:]}")
    numbers = json.loads(stdout.decode().strip().splitlines()[-1])
    return MemoryResult(
        database.backend, few, many, float(numbers["few_rss_mb"]), float(numbers["many_rss_mb"])
    )
