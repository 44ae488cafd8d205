"""Everything a run measured, as plain dataclasses (printed by report.py, saved by --json)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.machine import Machine
from bench.roundtrips import RoundTrips
from bench.stats import Summary


@dataclass(frozen=True)
class UseCaseRun:
    """One use case through the real dispatcher at one concurrency."""

    use_case: str
    concurrency: int
    summary: Summary
    round_trips: RoundTrips
    same_person: bool = False

    @property
    def round_trips_per_update(self) -> float:
        return self.round_trips.per(self.summary.updates)


@dataclass(frozen=True)
class Floor:
    """A use case at concurrency 1 against its floor.

    The floor is the *minimal bot*: a bare dispatcher whose handler runs the use case's raw
    statement on plain asyncpg and answers, so dispatch and the round trip are measured
    together, as a bot runs them. `bare` and `raw` are the same two parts measured apart,
    each in a tight loop of its own, where both run faster (see bench/README.md). SQLite has
    no raw statement: its floor is bare dispatch.

    The use case and its floors are measured in alternating rounds; the judged ratio is the
    median of the rounds' own ratios (each round's use case against the floor measured right
    after it), so one round hit by a stall of the machine (an autovacuum, the VM's neighbours)
    does not decide it. `real`, `minimal` and the rest pool all rounds.
    """

    use_case: str
    real: Summary
    bare: Summary
    raw: Summary | None
    # Dispatch and send the real update's recorded reply: aiogram's cost of the same answer.
    reply: Summary | None = None
    minimal: Summary | None = None
    round_ratios: tuple[float, ...] = ()  # each round's use case / floor, in order

    @property
    def floor_ms(self) -> float:
        return self.minimal.mean_ms if self.minimal else self.parts_ms

    @property
    def ratio(self) -> float:
        """The median round's ratio (the pooled means' ratio without rounds)."""
        if self.round_ratios:
            return median(list(self.round_ratios))
        return self.pooled_ratio

    @property
    def pooled_ratio(self) -> float:
        return self.real.mean_ms / self.floor_ms

    @property
    def parts_ms(self) -> float:
        """Bare dispatch + the raw statement, measured apart."""
        return self.bare.mean_ms + self._raw_ms

    @property
    def parts_ratio(self) -> float:
        return self.real.mean_ms / self.parts_ms

    @property
    def reply_floor_ms(self) -> float | None:
        return None if self.reply is None else self.reply.mean_ms + self._raw_ms

    @property
    def reply_ratio(self) -> float | None:
        floor = self.reply_floor_ms
        return None if floor is None else self.real.mean_ms / floor

    @property
    def _raw_ms(self) -> float:
        return self.raw.mean_ms if self.raw else 0.0


@dataclass(frozen=True)
class ScaleRun:
    """`/list` and a status change for one person with `tasks` tasks."""

    tasks: int
    list_run: Summary
    status_run: Summary
    list_round_trips: float
    status_round_trips: float
    raw_list: Summary | None = None
    raw_status: Summary | None = None


@dataclass
class BackendResults:
    backend: str
    use_cases: list[UseCaseRun] = field(default_factory=list)
    floors: list[Floor] = field(default_factory=list)
    scale: list[ScaleRun] = field(default_factory=list)


@dataclass(frozen=True)
class StartupResult:
    backend: str
    bot_s: list[float]
    bare_s: list[float]

    @property
    def ratio(self) -> float:
        return median(self.bot_s) / median(self.bare_s)


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


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool | None  # None: shown for information, not judged


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class Report:
    command: str
    plan: str
    machine: Machine
    backends: list[BackendResults] = field(default_factory=list)
    startup: StartupResult | None = None
    memory: MemoryResult | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0
