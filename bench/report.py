"""The printed report: how it was run, on what, a table per section, then the verdicts."""

from __future__ import annotations

from bench.results import (
    BackendResults,
    MemoryResult,
    Report,
    StartupResult,
    UseCaseRun,
    Verdict,
    median,
)
from bench.stats import Summary
from bench.table import render_table

_DASH = "—"


def render_report(report: Report) -> str:
    parts = [_header(report)]
    for results in report.backends:
        parts += [_use_cases(results), _floors(results)]
        if results.scale:
            parts.append(_scale(results))
    if report.startup is not None:
        parts.append(_startup(report.startup))
    if report.memory is not None:
        parts.append(_memory(report.memory))
    parts.append(_verdicts(report.verdicts))
    return "\n\n".join(parts) + "\n"


def _header(report: Report) -> str:
    machine = report.machine
    load = " ".join(f"{value:.2f}" for value in machine.load_before)
    load_after = " ".join(f"{value:.2f}" for value in machine.load_after)
    return "\n".join(
        [
            f"command:  {report.command}",
            f"plan:     {report.plan}, took {report.seconds:.0f} s",
            f"machine:  {machine.cpus} CPUs ({machine.cpu_model}), {machine.system}",
            f"software: Python {machine.python}, PostgreSQL {machine.postgres or _DASH}, "
            f"aiogram {machine.aiogram}, SQLAlchemy {machine.sqlalchemy}",
            f"load avg: {load} at the start, {load_after} at the end",
        ]
    )


def _use_cases(results: BackendResults) -> str:
    rows = [_use_case_row(run) for run in results.use_cases]
    return render_table(
        f"Use cases on {results.backend}: the real dispatcher, latency per update "
        "(round trips: statements + BEGIN + COMMIT + ROLLBACK + pings, per update"
        + ("; on SQLite driver calls, not network round trips)" if _sqlite(results) else ")"),
        ["use case", "conc", "updates", "upd/s", "mean ms", "p50 ms", "p99 ms", "trips", "stmt"],
        rows,
    )


def _use_case_row(run: UseCaseRun) -> list[str]:
    summary, trips = run.summary, run.round_trips
    name = run.use_case + (" (one person)" if run.same_person else "")
    return [
        name,
        str(run.concurrency),
        f"{summary.updates:,}",
        f"{summary.per_second:,.0f}",
        *_latencies(summary),
        f"{run.round_trips_per_update:.1f}",
        f"{trips.statements / summary.updates:.1f}",
    ]


def _latencies(summary: Summary) -> list[str]:
    return [f"{summary.mean_ms:.2f}", f"{summary.p50_ms:.2f}", f"{summary.p99_ms:.2f}"]


def _floors(results: BackendResults) -> str:
    rows = [
        [
            floor.use_case,
            f"{floor.real.mean_ms:.2f}",
            f"{floor.minimal.mean_ms:.2f}" if floor.minimal else _DASH,
            f"{floor.ratio:.2f}x",
            _rounds(floor.round_ratios),
            f"{floor.bare.mean_ms:.2f}",
            f"{floor.raw.mean_ms:.2f}" if floor.raw else _DASH,
            f"{floor.parts_ratio:.1f}x" if floor.raw else _DASH,
            f"{floor.reply.mean_ms:.2f}" if floor.reply else _DASH,
            f"{floor.reply_ratio:.1f}x" if floor.reply_ratio else _DASH,
        ]
        for floor in results.floors
    ]
    note = (
        " (SQLite: the floor is bare dispatch; it has no round trips to save)"
        if _sqlite(results)
        else " (floor = the minimal bot: bare dispatch + the raw SQL statement, together)"
    )
    return render_table(
        f"Floors on {results.backend}: mean ms per update at concurrency 1{note}; "
        "real/floor is the median of the rounds' ratios (rounds: lowest-highest); bare "
        "dispatch and raw SQL are also measured apart; same reply = dispatch and send the "
        "real update's recorded reply, no database",
        [
            "use case",
            "real",
            "minimal bot",
            "real/floor",
            "rounds",
            "bare dispatch",
            "raw SQL",
            "real/(bare + raw)",
            "same reply",
            "real/(same reply + raw)",
        ],
        rows,
    )


def _rounds(ratios: tuple[float, ...]) -> str:
    return f"{min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else _DASH


def _scale(results: BackendResults) -> str:
    rows = [
        [
            f"{run.tasks:,}",
            f"{run.list_run.mean_ms:.2f}",
            f"{run.list_run.p99_ms:.2f}",
            f"{run.list_round_trips:.1f}",
            f"{run.status_run.mean_ms:.2f}",
            f"{run.status_run.p99_ms:.2f}",
            f"{run.status_round_trips:.1f}",
            f"{run.raw_list.mean_ms:.2f}" if run.raw_list else _DASH,
            f"{run.raw_status.mean_ms:.2f}" if run.raw_status else _DASH,
        ]
        for run in results.scale
    ]
    return render_table(
        f"One person's list size on {results.backend}: ms per update at concurrency 1",
        [
            "tasks",
            "/list mean",
            "/list p99",
            "trips",
            "status mean",
            "status p99",
            "trips",
            "raw /list",
            "raw status",
        ],
        rows,
    )


def _startup(startup: StartupResult) -> str:
    rows = [
        [name, f"{median(runs):.2f}", " ".join(f"{run:.2f}" for run in runs)]
        for name, runs in (("python -m bot", startup.bot_s), ("bare aiogram bot", startup.bare_s))
    ]
    return render_table(
        f"Start to first getUpdates ({startup.backend}, fake Bot API server), seconds",
        ["process", "median", "runs"],
        rows,
    )


def _memory(memory: MemoryResult) -> str:
    rows = [
        [f"{memory.few_people:,}", f"{memory.few_rss_mb:.1f}"],
        [f"{memory.many_people:,}", f"{memory.many_rss_mb:.1f}"],
    ]
    return render_table(
        f"Resident memory after N people each sent /add and /list ({memory.backend}, own process)",
        ["people", "RSS MB"],
        rows,
    )


def _verdicts(verdicts: list[Verdict]) -> str:
    labels = {True: "PASS", False: "FAIL", None: "info"}
    rows = [[labels[v.passed], v.target, v.measured] for v in verdicts]
    return render_table("Targets", ["", "target", "measured"], rows)


def _sqlite(results: BackendResults) -> bool:
    return results.backend == "sqlite"
