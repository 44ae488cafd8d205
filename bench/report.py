"""The results of a run, the printed report (a table per section) and the verdicts."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, field
from importlib.metadata import version

from bench.due import DATED_TEXT, PLAIN_TEXT, DatedAdd
from bench.harness import Summary
from bench.memory import MemoryResult
from bench.reminders import BATCH, BOT_PER_SECOND, DUE_IN_SCAN, Delivery, Scan
from bench.scale import ScaleRun
from bench.search import EVERY_WORD, MATCHES, SEARCH_WORD
from bench.startup import PARSER_MODULE, ParserImport, StartupResult
from bench.usecases import Comparison

FLOOR_RATIO = 2.5  # each use case at concurrency 1 against its minimal-bot floor
SCALE_RATIO = 1.5  # the most tasks against the fewest
START_RATIO = 1.5  # against a bare aiogram bot
MEMORY_GROWTH_MB = 50.0  # after 10 000 people against after 10
DATED_ADD_RATIO = 1.3  # /add with a date phrase against /add without, end to end
PARSER_IMPORT_SHARE = 0.20  # the parser's import against a bare aiogram bot's start-up
DELIVERY_SHARE = 0.9  # reminders delivered a second against the configured send rate
SCAN_RATIO = 1.5  # the due scan on the large table against the small one
SEARCH_RATIO = 2.0  # /find with the most tasks against with SEARCH_BASE
SEARCH_BASE = 1_000
_DASH = "—"


@dataclass(frozen=True)
class Machine:
    cpus: int
    cpu_model: str
    system: str
    python: str
    postgres: str | None
    aiogram: str
    sqlalchemy: str
    load_before: tuple[float, float, float]


def describe_machine(postgres: str | None) -> Machine:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return Machine(
        cpus=os.cpu_count() or 0,
        cpu_model=model,
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        postgres=postgres,
        aiogram=version("aiogram"),
        sqlalchemy=version("sqlalchemy"),
        load_before=os.getloadavg(),
    )


@dataclass
class BackendResults:
    backend: str
    comparisons: list[Comparison] = field(default_factory=list)
    scale: list[ScaleRun] = field(default_factory=list)
    dated_add: DatedAdd | None = None
    delivery: Delivery | None = None
    scan: Scan | None = None


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool | None  # None: shown, not judged


@dataclass
class Report:
    command: str
    plan: str
    machine: Machine
    backends: list[BackendResults] = field(default_factory=list)
    startup: StartupResult | None = None
    parser_import: ParserImport | None = None
    memory: MemoryResult | None = None
    seconds: float = 0.0
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    verdicts: list[Verdict] = field(default_factory=list)


# -- verdicts ----------------------------------------------------------------------------------


def judge(report: Report) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for results in report.backends:
        for comparison in results.comparisons:
            if comparison.concurrency != 1:
                continue
            measured = (
                f"{comparison.ratio:.2f}x (median of {len(comparison.round_ratios)} rounds, "
                f"{_spread(comparison.round_ratios)}; {comparison.real.mean_ms:.2f} vs "
                f"{comparison.floor.mean_ms:.2f} ms)"
            )
            if comparison.floor_kind == "minimal bot":
                target = f"{comparison.use_case} ≤ {FLOOR_RATIO}x its minimal-bot floor"
                passed: bool | None = comparison.ratio <= FLOOR_RATIO
            else:
                target = f"{comparison.use_case} vs bare dispatch (no SQL)"
                passed = None
            verdicts.append(Verdict(f"{target} ({results.backend})", measured, passed))
        if len(results.scale) >= 2:
            few, most = results.scale[0], results.scale[-1]
            for name, few_run, most_run in scale_pairs(results):
                ratio = most_run.mean_ms / few_run.mean_ms
                verdicts.append(
                    Verdict(
                        f"{name} with {most.tasks:,} tasks ≤ {SCALE_RATIO}x with {few.tasks:,} "
                        f"({results.backend})",
                        f"{ratio:.2f}x ({most_run.mean_ms:.2f} vs {few_run.mean_ms:.2f} ms)",
                        ratio <= SCALE_RATIO,
                    )
                )
        verdicts.extend(_search_verdicts(results))
        if results.dated_add is not None:
            verdicts.append(_dated_add_verdict(results.dated_add))
        if results.delivery is not None:
            verdicts.extend(_delivery_verdicts(results.delivery))
        if results.scan is not None:
            verdicts.extend(_scan_verdicts(results.scan))
    if report.startup is not None:
        startup = report.startup
        verdicts.append(
            Verdict(
                f"start to first getUpdates ≤ {START_RATIO}x a bare aiogram bot's "
                f"({startup.backend})",
                f"{startup.ratio:.2f}x ({startup.bot_median:.2f} s vs {startup.bare_median:.2f} s)",
                startup.ratio <= START_RATIO,
            )
        )
        if report.parser_import is not None:
            verdicts.extend(_parser_verdicts(report.parser_import, startup))
    if report.memory is not None:
        memory = report.memory
        verdicts.append(
            Verdict(
                f"memory after {memory.many_people:,} people ≤ after {memory.few_people} "
                f"+ {MEMORY_GROWTH_MB:.0f} MB ({memory.backend})",
                f"{memory.growth_mb:+.1f} MB ({memory.few_rss_mb:.1f} → "
                f"{memory.many_rss_mb:.1f} MB)",
                memory.growth_mb <= MEMORY_GROWTH_MB,
            )
        )
    return verdicts


def scale_pairs(results: BackendResults) -> list[tuple[str, Summary, Summary]]:
    """Each judged update with the fewest tasks and with the most."""
    few, most = results.scale[0], results.scale[-1]
    return [
        ("/list", few.list_real, most.list_real),
        ("status change", few.status_real, most.status_real),
        ("/today", few.today_real, most.today_real),
        ("/upcoming", few.upcoming_real, most.upcoming_real),
    ]


def search_pair(results: BackendResults) -> tuple[ScaleRun, ScaleRun] | None:
    """/find's runs with SEARCH_BASE tasks and with the most; None without both."""
    base = [run for run in results.scale if run.tasks == SEARCH_BASE]
    if not base or results.scale[-1].tasks <= SEARCH_BASE:
        return None
    return base[0], results.scale[-1]


def _search_verdicts(results: BackendResults) -> list[Verdict]:
    pair = search_pair(results)
    if pair is None:
        return []
    base, most = pair
    ratio = most.find_real.mean_ms / base.find_real.mean_ms
    every = most.every_real.mean_ms / base.every_real.mean_ms
    return [
        Verdict(
            f"/find ({MATCHES} matches) with {most.tasks:,} tasks ≤ {SEARCH_RATIO:g}x with "
            f"{base.tasks:,} ({results.backend})",
            f"{ratio:.2f}x ({most.find_real.mean_ms:.2f} vs {base.find_real.mean_ms:.2f} ms)",
            ratio <= SEARCH_RATIO,
        ),
        Verdict(
            f"/find, a word in every task: {most.tasks:,} tasks vs {base.tasks:,} "
            f"({results.backend})",
            f"{every:.2f}x ({most.every_real.mean_ms:.2f} vs {base.every_real.mean_ms:.2f} ms)",
            None,
        ),
    ]


def _dated_add_verdict(dated: DatedAdd) -> Verdict:
    """Judged on PostgreSQL, the production database; shown on SQLite."""
    target = "/add with a date phrase"
    judged = dated.backend == "postgresql"
    if judged:
        target += f" ≤ {DATED_ADD_RATIO}x without"
    else:
        target += " vs without"
    return Verdict(
        f"{target} ({dated.backend})",
        f"{dated.ratio:.2f}x (median of {len(dated.round_ratios)} rounds, "
        f"{_spread(dated.round_ratios)}; {dated.dated.mean_ms:.2f} vs "
        f"{dated.plain.mean_ms:.2f} ms)",
        dated.ratio <= DATED_ADD_RATIO if judged else None,
    )


def _parser_verdicts(parser: ParserImport, startup: StartupResult) -> list[Verdict]:
    share = parser.cost_s / startup.bare_median
    own = parser.own_median_ms / 1e3 / startup.bare_median
    return [
        Verdict(
            f"import {PARSER_MODULE} ≤ {PARSER_IMPORT_SHARE:.0%} of a bare aiogram bot's start-up",
            f"{share:.1%} (+{parser.cost_s:.3f} s over a bare interpreter, of "
            f"{startup.bare_median:.2f} s)",
            share <= PARSER_IMPORT_SHARE,
        ),
        Verdict(
            f"{PARSER_MODULE}'s own modules (-X importtime), of a bare aiogram bot's start-up",
            f"{own:.1%} ({parser.own_median_ms:.1f} ms)",
            None,
        ),
    ]


def _delivery_verdicts(delivery: Delivery) -> list[Verdict]:
    """Judged on PostgreSQL, the production database; shown on SQLite."""
    judged = delivery.backend == "postgresql"
    where = f"({delivery.backend}, {delivery.reminders:,} due at once)"

    def verdict(target: str, measured: str, passed: bool) -> Verdict:
        return Verdict(f"{target} {where}", measured, passed if judged else None)

    return [
        verdict(
            f"reminders delivered ≥ {DELIVERY_SHARE:.0%} of the send rate",
            f"{delivery.share_of_rate:.1%} ({delivery.per_second:.2f}/s of "
            f"{delivery.rate:g}/s; {delivery.delivered:,} in {delivery.seconds:.1f} s)",
            delivery.share_of_rate >= DELIVERY_SHARE,
        ),
        verdict(
            f"0 answers 429 ({BOT_PER_SECOND}/s per bot, 1/s per chat enforced)",
            f"{delivery.too_many} (peak {delivery.peak_per_second} messages in one second)",
            delivery.too_many == 0,
        ),
        verdict(
            "0 duplicate reminders",
            f"{delivery.duplicates} ({delivery.sent:,} messages for {delivery.delivered:,} tasks)",
            delivery.duplicates == 0,
        ),
        verdict(
            "0 lost reminders",
            f"{delivery.lost} (of {delivery.reminders:,})",
            delivery.lost == 0,
        ),
    ]


def _scan_verdicts(scan: Scan) -> list[Verdict]:
    judged = scan.backend == "postgresql"
    small, large = scan.small, scan.large
    cases = [
        ("nothing due", scan.idle_ratio, large.idle_ms, small.idle_ms),
        (f"{DUE_IN_SCAN} due", scan.due_ratio, large.due_ms, small.due_ms),
    ]
    return [
        Verdict(
            f"due scan, {case}: {large.tasks:,} tasks "
            + (f"≤ {SCAN_RATIO}x" if judged else "vs")
            + f" {small.tasks:,} ({scan.backend})",
            f"{ratio:.2f}x ({large_ms:.2f} vs {small_ms:.2f} ms, medians of {scan.runs})",
            ratio <= SCAN_RATIO if judged else None,
        )
        for case, ratio, large_ms, small_ms in cases
    ]


def _spread(ratios: tuple[float, ...]) -> str:
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


# -- the printed report ------------------------------------------------------------------------


def render_report(report: Report) -> str:
    parts = [_header(report)]
    for results in report.backends:
        if results.comparisons:
            parts.append(_comparisons(results))
            parts.append(_breakdown(results))
        if results.scale:
            parts.append(_scale(results))
            parts.append(_due_scale(results))
            parts.append(_search_scale(results))
        if results.dated_add is not None:
            parts.append(_dated_add(results.dated_add))
        if results.delivery is not None:
            parts.append(_delivery(results.delivery))
        if results.scan is not None:
            parts.append(_scan(results.scan))
    if report.startup is not None:
        startup = report.startup
        parts.append(
            _table(
                f"Start to first getUpdates ({startup.backend}, fake Bot API server), seconds",
                ["process", "median", "runs"],
                [
                    ["python -m bot", f"{startup.bot_median:.2f}", _runs(startup.bot_s)],
                    ["bare aiogram bot", f"{startup.bare_median:.2f}", _runs(startup.bare_s)],
                ],
            )
        )
    if report.parser_import is not None:
        parts.append(_parser_import(report.parser_import))
    if report.memory is not None:
        memory = report.memory
        parts.append(
            _table(
                f"Resident memory after N people each sent /add ({memory.backend}, own process)",
                ["people", "RSS MB"],
                [
                    [f"{memory.few_people:,}", f"{memory.few_rss_mb:.1f}"],
                    [f"{memory.many_people:,}", f"{memory.many_rss_mb:.1f}"],
                ],
            )
        )
    parts.append(_verdicts(report.verdicts))
    return "\n\n".join(parts) + "\n"


def _header(report: Report) -> str:
    machine = report.machine
    before = " ".join(f"{value:.2f}" for value in machine.load_before)
    after = " ".join(f"{value:.2f}" for value in report.load_after)
    return "\n".join(
        [
            f"command:  {report.command}",
            f"plan:     {report.plan}, took {report.seconds:.0f} s",
            f"machine:  {machine.cpus} CPUs ({machine.cpu_model}), {machine.system}",
            f"software: Python {machine.python}, PostgreSQL {machine.postgres or _DASH}, "
            f"aiogram {machine.aiogram}, SQLAlchemy {machine.sqlalchemy}",
            f"load avg: {before} at the start, {after} at the end",
        ]
    )


def _comparisons(results: BackendResults) -> str:
    floor = "minimal bot" if results.backend == "postgresql" else "bare dispatch, no SQL"
    rows = [
        [
            c.use_case,
            str(c.concurrency),
            f"{c.real.updates:,}",
            f"{c.real.per_second:,.0f}",
            *_latencies(c.real),
            f"{c.statements:.1f}",
            f"{c.floor.per_second:,.0f}",
            *_latencies(c.floor),
            f"{c.ratio:.2f}x",
            _spread(c.round_ratios),
        ]
        for c in results.comparisons
    ]
    return _table(
        f"Use cases on {results.backend}: the real dispatcher against its floor ({floor}); "
        "ms per update; stmt = SQL statements SQLAlchemy sent per update; real/floor = "
        "median over the rounds of the ratio of means (rounds: lowest-highest)",
        [
            "use case",
            "conc",
            "updates",
            "upd/s",
            "mean",
            "p50",
            "p99",
            "stmt",
            "floor upd/s",
            "floor mean",
            "floor p50",
            "floor p99",
            "real/floor",
            "rounds",
        ],
        rows,
    )


def _breakdown(results: BackendResults) -> str:
    rows = []
    for c in results.comparisons:
        if c.concurrency != 1 or c.service is None:
            continue
        rest = c.real.mean_ms - c.service.mean_ms - c.bot_api_ms
        rows.append(
            [
                c.use_case,
                f"{c.real.mean_ms:.2f}",
                f"{c.service.mean_ms:.2f}",
                _mean(c.sql),
                f"{c.bot_api_ms:.2f}",
                f"{rest:.2f}",
                f"{c.floor.mean_ms:.2f}",
            ]
        )
    return _table(
        f"Where the time goes on {results.backend}, concurrency 1, ms per update: service = "
        "the same steps through TaskService alone; SQL = the floor's SQL alone on plain "
        "asyncpg, back to back; Bot API = inside the session's "
        "make_request (request form, canned answer parsed); the rest = dispatch, "
        "middlewares, filters, texts and keyboards",
        ["use case", "real", "service", "SQL", "Bot API", "the rest", "floor"],
        rows,
    )


def _scale(results: BackendResults) -> str:
    rows = [
        [
            f"{run.tasks:,}",
            *_latencies(run.list_real),
            f"{run.list_statements:.1f}",
            _mean(run.list_floor),
            *_latencies(run.status_real),
            f"{run.status_statements:.1f}",
            _mean(run.status_floor),
        ]
        for run in results.scale
    ]
    return _table(
        f"One person's list size on {results.backend}: ms per update at concurrency 1 "
        "(floor: the minimal bot, same person)",
        [
            "tasks",
            "/list mean",
            "p50",
            "p99",
            "stmt",
            "floor",
            "status mean",
            "p50",
            "p99",
            "stmt",
            "floor",
        ],
        rows,
    )


def _due_scale(results: BackendResults) -> str:
    rows = [
        [
            f"{run.tasks:,}",
            *_latencies(run.today_real),
            f"{run.today_statements:.1f}",
            _mean(run.today_floor),
            *_latencies(run.upcoming_real),
            f"{run.upcoming_statements:.1f}",
            _mean(run.upcoming_floor),
        ]
        for run in results.scale
    ]
    return _table(
        f"/today and /upcoming for the same person on {results.backend}: ms per update at "
        "concurrency 1; 3 and 5 rows shown at every size (floor: the view's statement on the "
        "minimal bot)",
        [
            "tasks",
            "/today mean",
            "p50",
            "p99",
            "stmt",
            "floor",
            "/upcoming mean",
            "p50",
            "p99",
            "stmt",
            "floor",
        ],
        rows,
    )


def _search_scale(results: BackendResults) -> str:
    rows = [
        [
            f"{run.tasks:,}",
            *_latencies(run.find_real),
            f"{run.find_statements:.1f}",
            _mean(run.find_floor),
            *_latencies(run.every_real),
            f"{run.every_statements:.1f}",
        ]
        for run in results.scale
    ]
    return _table(
        f"/find for the same person on {results.backend}: ms per update at concurrency 1; "
        f"«{SEARCH_WORD}» finds {MATCHES} tasks at every size (floor: the search statement on "
        f"the minimal bot); «{EVERY_WORD}» is in every task, all of them ranked",
        [
            "tasks",
            f"{SEARCH_WORD} mean",
            "p50",
            "p99",
            "stmt",
            "floor",
            f"{EVERY_WORD} mean",
            "p50",
            "p99",
            "stmt",
        ],
        rows,
    )


def _dated_add(dated: DatedAdd) -> str:
    rows = [
        [
            f"/add {text}",
            f"{summary.updates:,}",
            *_latencies(summary),
            f"{statements:.1f}",
            f"{bot_api:.2f}",
            f"{service.mean_ms:.2f}",
            f"{parse_us:.1f}",
        ]
        for text, summary, statements, bot_api, service, parse_us in (
            (
                DATED_TEXT,
                dated.dated,
                dated.dated_statements,
                dated.dated_bot_api_ms,
                dated.dated_service,
                dated.dated_parse_us,
            ),
            (
                PLAIN_TEXT,
                dated.plain,
                dated.plain_statements,
                dated.plain_bot_api_ms,
                dated.plain_service,
                dated.plain_parse_us,
            ),
        )
    ]
    return _table(
        f"Parsing cost per /add on {dated.backend}: the real dispatcher at concurrency 1, "
        "ms per update (the two alternate in rounds, fresh people each); Bot API = inside the "
        "session's make_request; service = the same adds through TaskService alone; "
        f"parse_due = the parser alone on the title, µs; with/without = {dated.ratio:.2f}x "
        f"(median of the rounds' ratios, {_spread(dated.round_ratios)})",
        ["update", "updates", "mean", "p50", "p99", "stmt", "Bot API", "service", "parse_due µs"],
        rows,
    )


def _parser_import(parser: ParserImport) -> str:
    return _table(
        f"The due-date parser's import: spawn to exit, seconds, median of {len(parser.bare_s)}; "
        f"{PARSER_MODULE} itself = -X importtime's cumulative time of the module",
        ["process", "median", "runs"],
        [
            ["python -c pass", f"{statistics.median(parser.bare_s):.3f}", _runs3(parser.bare_s)],
            [
                f"python -c 'import {PARSER_MODULE}'",
                f"{statistics.median(parser.import_s):.3f}",
                _runs3(parser.import_s),
            ],
            [
                f"{PARSER_MODULE} itself",
                f"{parser.own_median_ms / 1e3:.3f}",
                _runs3(tuple(ms / 1e3 for ms in parser.own_ms)),
            ],
        ],
    )


def _delivery(delivery: Delivery) -> str:
    return _table(
        f"Reminders on {delivery.backend}: {delivery.reminders:,} people, one reminder each, "
        f"all due in the same minute; the bot's ReminderWorker (run_once until none is due) "
        f"with SendLimiter({delivery.rate:g}/s), against a Bot API that answers 429 beyond "
        f"{BOT_PER_SECOND}/s per bot or 1/s per chat",
        [
            "due",
            "seconds",
            "delivered/s",
            "of rate",
            "peak in 1 s",
            "sent",
            "429",
            "duplicates",
            "lost",
            "rounds",
            "warnings",
        ],
        [
            [
                f"{delivery.reminders:,}",
                f"{delivery.seconds:.1f}",
                f"{delivery.per_second:.2f}",
                f"{delivery.share_of_rate:.1%}",
                f"{delivery.peak_per_second}",
                f"{delivery.sent:,}",
                f"{delivery.too_many}",
                f"{delivery.duplicates}",
                f"{delivery.lost}",
                f"{delivery.rounds}",
                f"{delivery.warnings}",
            ]
        ],
    )


def _scan(scan: Scan) -> str:
    return _table(
        f"The due scan on {scan.backend}: TaskService.claim_reminders({BATCH}), ms, median "
        f"(p90) of {scan.runs} claims per case, the two tables in alternating rounds",
        ["tasks", "with a reminder ahead", "nothing due", "p90", f"{DUE_IN_SCAN} due", "p90"],
        [
            [
                f"{timing.tasks:,}",
                f"{timing.with_reminder:,}",
                f"{timing.idle_ms:.2f}",
                f"{timing.idle_p90_ms:.2f}",
                f"{timing.due_ms:.2f}",
                f"{timing.due_p90_ms:.2f}",
            ]
            for timing in (scan.small, scan.large)
        ],
    )


def _runs3(seconds: tuple[float, ...]) -> str:
    return " ".join(f"{value:.3f}" for value in seconds)


def _verdicts(verdicts: list[Verdict]) -> str:
    marks = {True: "PASS", False: "MISS", None: "info"}
    return _table(
        "Targets",
        ["", "target", "measured"],
        [[marks[v.passed], v.target, v.measured] for v in verdicts],
        align_right=False,
    )


def _latencies(summary: Summary) -> list[str]:
    return [f"{summary.mean_ms:.2f}", f"{summary.p50_ms:.2f}", f"{summary.p99_ms:.2f}"]


def _mean(summary: Summary | None) -> str:
    return _DASH if summary is None else f"{summary.mean_ms:.2f}"


def _runs(seconds: tuple[float, ...]) -> str:
    return " ".join(f"{value:.2f}" for value in seconds)


def _table(
    title: str, headers: list[str], rows: list[list[str]], *, align_right: bool = True
) -> str:
    """Columns padded to their widest cell; all but the first right-aligned (numbers)."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(width) if i == 0 or not align_right else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([title, line(headers), rule, *(line(row) for row in rows)])
