"""Throughput and latency percentiles of one sample."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import Sample


@dataclass(frozen=True)
class Summary:
    updates: int
    per_second: float
    mean_ms: float  # the cost of one update; at concurrency 1 it is 1000 / per_second
    p50_ms: float
    p99_ms: float


def pooled(parts: Sequence[Summary]) -> Summary:
    """Runs of one kind taken in rounds, as one: the count, rate and mean are exact; the
    percentiles are approximate (the median round's p50, the worst round's p99)."""
    updates = sum(part.updates for part in parts)
    seconds = sum(part.updates / part.per_second for part in parts)
    return Summary(
        updates=updates,
        per_second=updates / seconds,
        mean_ms=sum(part.mean_ms * part.updates for part in parts) / updates,
        p50_ms=statistics.median(part.p50_ms for part in parts),
        p99_ms=max(part.p99_ms for part in parts),
    )


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest rank: the smallest value with at least `fraction` of the sample at or below."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(sample: Sample) -> Summary:
    values = sorted(sample.latencies_ns)
    count = len(values)
    return Summary(
        updates=count,
        per_second=count / (sample.wall_ns / 1e9),
        mean_ms=sum(values) / count / 1e6,
        p50_ms=percentile(values, 0.50) / 1e6,
        p99_ms=percentile(values, 0.99) / 1e6,
    )
