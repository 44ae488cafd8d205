"""How much to measure: the full run (about three minutes on two cores) or --quick (a smoke
run: the same sections with too few updates for a stable p99)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    # Timed updates per use case at each concurrency (split evenly between the lanes).
    updates: dict[int, int]
    warmup: int  # untimed updates first, at each concurrency, for caches and pool connections
    floor_updates: int  # per use case, for it and for each floor, split into rounds
    floor_rounds: int
    scale_sizes: tuple[int, ...]
    scale_updates: int
    start_repeats: int
    memory_people: tuple[int, int]
    same_person_concurrency: int = 10


FULL = Plan(
    name="full",
    updates={1: 1000, 10: 300, 50: 300},
    warmup=50,
    floor_updates=1000,
    floor_rounds=5,
    scale_sizes=(10, 1_000, 100_000),
    scale_updates=100,
    start_repeats=3,
    memory_people=(10, 10_000),
)
QUICK = Plan(
    name="quick",
    updates={1: 100, 10: 50, 50: 50},
    warmup=10,
    floor_updates=100,
    floor_rounds=2,
    scale_sizes=(10, 10_000),
    scale_updates=20,
    start_repeats=1,
    memory_people=(10, 200),
)
