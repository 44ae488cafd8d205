"""Runs prepared calls in concurrent lanes and times each one.

A lane is one asyncio task working through its calls in order, like one person (or one
connection) after another; N lanes at once is concurrency N. Calls are built beforehand, so
building an update is never inside a measurement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from time import perf_counter_ns

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Sample:
    latencies_ns: list[int]
    wall_ns: int


async def drive(lanes: Sequence[Sequence[Call]]) -> Sample:
    latencies: list[int] = []

    async def lane(calls: Sequence[Call]) -> None:
        for call in calls:
            started = perf_counter_ns()
            await call()
            latencies.append(perf_counter_ns() - started)

    started = perf_counter_ns()
    async with asyncio.TaskGroup() as group:
        for calls in lanes:
            group.create_task(lane(calls))
    return Sample(latencies, perf_counter_ns() - started)
