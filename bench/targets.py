"""The targets the benchmark judges, each a PASS or FAIL (or shown only, where undefined)."""

from __future__ import annotations

from bench.results import BackendResults, Floor, MemoryResult, StartupResult, Verdict, median

FLOOR_RATIO = 2.0
SCALE_RATIO = 1.5
START_RATIO = 1.5
MEMORY_GROWTH_MB = 50.0


def judge(
    backends: list[BackendResults],
    startup: StartupResult | None,
    memory: MemoryResult | None,
) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for results in backends:
        verdicts += _floors(results)
        verdicts += _scale(results)
    if startup is not None:
        verdicts.append(
            Verdict(
                f"start to first getUpdates ≤ {START_RATIO}x a bare aiogram bot's "
                f"({startup.backend})",
                f"{startup.ratio:.2f}x ({median(startup.bot_s):.2f} s vs "
                f"{median(startup.bare_s):.2f} s)",
                startup.ratio <= START_RATIO,
            )
        )
    if memory is not None:
        verdicts.append(
            Verdict(
                f"memory after {memory.many_people:,} people ≤ after {memory.few_people} "
                f"+ {MEMORY_GROWTH_MB:.0f} MB ({memory.backend})",
                f"+{memory.growth_mb:.1f} MB",
                memory.growth_mb <= MEMORY_GROWTH_MB,
            )
        )
    return verdicts


def _floors(results: BackendResults) -> list[Verdict]:
    verdicts = []
    for floor in results.floors:
        measured = (
            f"{floor.ratio:.2f}x ({_spread(floor)}{floor.real.mean_ms:.2f} vs "
            f"{floor.floor_ms:.2f} ms)"
        )
        if floor.raw is None:
            # No SQL floor on SQLite: the ratio to bare dispatch is shown, not judged.
            target = f"{floor.use_case} vs bare dispatch only ({results.backend})"
            verdicts.append(Verdict(target, measured, None))
        else:
            target = f"{floor.use_case} ≤ {FLOOR_RATIO:.0f}x its floor ({results.backend})"
            verdicts.append(Verdict(target, measured, floor.ratio <= FLOOR_RATIO))
            # The same two parts measured apart, each in its own tight loop (faster there).
            verdicts.append(
                Verdict(
                    f"{floor.use_case} vs bare dispatch + raw SQL measured apart "
                    f"({results.backend})",
                    f"{floor.parts_ratio:.1f}x ({floor.real.mean_ms:.2f} vs "
                    f"{floor.parts_ms:.2f} ms)",
                    None,
                )
            )
        if floor.reply_ratio is not None and floor.reply_floor_ms is not None:
            # What is ours: the use case against aiogram sending the same reply (+ raw SQL).
            verdicts.append(
                Verdict(
                    f"{floor.use_case} vs the same reply{' + raw SQL' if floor.raw else ''} "
                    f"({results.backend})",
                    f"{floor.reply_ratio:.1f}x ({floor.real.mean_ms:.2f} vs "
                    f"{floor.reply_floor_ms:.2f} ms)",
                    None,
                )
            )
    return verdicts


def _scale(results: BackendResults) -> list[Verdict]:
    if len(results.scale) < 2:
        return []
    small, large = results.scale[0], results.scale[-1]
    verdicts = []
    for what, few, many in (
        ("/list", small.list_run, large.list_run),
        ("status change", small.status_run, large.status_run),
    ):
        ratio = many.mean_ms / few.mean_ms
        verdicts.append(
            Verdict(
                f"{what} with {large.tasks:,} tasks ≤ {SCALE_RATIO}x with {small.tasks} "
                f"({results.backend})",
                f"{ratio:.2f}x ({many.mean_ms:.2f} vs {few.mean_ms:.2f} ms)",
                ratio <= SCALE_RATIO,
            )
        )
    return verdicts


def _spread(floor: Floor) -> str:
    """Where the judged ratio comes from: the rounds' median, between their extremes."""
    ratios = floor.round_ratios
    if len(ratios) < 2:
        return ""
    return f"median of {len(ratios)} rounds, {min(ratios):.2f}-{max(ratios):.2f}; means "
