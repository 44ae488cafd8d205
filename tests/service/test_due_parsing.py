"""parse_due: the golden file of task lines, and the rules that are easy to get wrong.

Pure and fast: no database, no event loop; the whole file runs in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.due import DueParse, parse_due

GOLDEN = Path(__file__).with_name("due_golden.tsv")
DEFAULT_NOW = "2026-12-02 14:30 Europe/Moscow"  # a Wednesday afternoon
MIN_ACCURACY = 0.97
MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 14, 30, tzinfo=MOSCOW)


@dataclass(frozen=True)
class GoldenRow:
    line: int
    text: str
    title: str
    due: str  # "-", "YYYY-MM-DD" or "YYYY-MM-DD HH:MM", local
    rrule: str  # "-" or the RRULE body
    ambiguous: bool
    now: datetime
    tz: ZoneInfo


def _now_of(spec: str) -> tuple[datetime, ZoneInfo]:
    day, clock, zone = spec.split()
    tz = ZoneInfo(zone)
    return datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=tz), tz


def load_golden() -> list[GoldenRow]:
    rows = []
    for number, raw in enumerate(GOLDEN.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        assert len(fields) in (5, 6), f"due_golden.tsv:{number}: {len(fields)} columns"
        now, tz = _now_of(fields[5] if len(fields) == 6 else DEFAULT_NOW)
        text, title, due, rrule, flags = fields[:5]
        rows.append(GoldenRow(number, text, title, due, rrule, flags == "ambiguous", now, tz))
    return rows


def _shown(result: DueParse, tz: ZoneInfo) -> tuple[str, str, str, bool]:
    """The result in the golden file's terms: title, local due, rrule, ambiguous."""
    if result.due is None:
        due = "-"
    else:
        assert result.due.tzinfo is not None
        local = result.due.astimezone(tz)
        due = local.strftime("%Y-%m-%d %H:%M" if result.has_time else "%Y-%m-%d")
    return result.title, due, result.recurrence or "-", result.ambiguous


def test_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    rows = load_golden()
    assert len(rows) >= 170
    wrong = []
    for row in rows:
        got = _shown(parse_due(row.text, row.now, row.tz), row.tz)
        want = (row.title, row.due, row.rrule, row.ambiguous)
        if got != want:
            wrong.append(f"  line {row.line}: {row.text!r}\n    want {want}\n    got  {got}")
    right = len(rows) - len(wrong)
    figure = f"due golden: {right}/{len(rows)} right ({100 * right / len(rows):.1f} %)"
    with capsys.disabled():
        print(f"\n{figure}")
    assert right / len(rows) >= MIN_ACCURACY, figure + "\n" + "\n".join(wrong)


def test_golden_file_is_bilingual() -> None:
    rows = load_golden()
    russian = sum(any("а" <= ch.lower() <= "я" for ch in row.text) for row in rows)
    assert 0.4 <= russian / len(rows) <= 0.6
    assert sum(row.due == "-" and not row.ambiguous for row in rows) >= 40  # negatives


# --- a time already gone ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Call at 9", "Созвон в 9", "Backup at 09:00", "Зарядка утром"])
def test_passed_time_without_a_day_means_tomorrow(text: str) -> None:
    result = parse_due(text, NOW, MOSCOW)
    assert result.due == datetime(2026, 12, 3, 9, 0, tzinfo=MOSCOW)
    assert result.has_time


@pytest.mark.parametrize(
    "text", ["Call today at 9", "Созвон сегодня в 9", "Retro on wednesday at 9"]
)
def test_passed_time_on_a_named_day_is_kept(text: str) -> None:
    result = parse_due(text, NOW, MOSCOW)
    assert result.due == datetime(2026, 12, 2, 9, 0, tzinfo=MOSCOW)  # in the past: the bot shows it


def test_a_time_still_ahead_stays_today() -> None:
    assert parse_due("Call at 21:00", NOW, MOSCOW).due == datetime(
        2026, 12, 2, 21, 0, tzinfo=MOSCOW
    )


# --- dates --------------------------------------------------------------------------------------


def test_date_without_time_is_local_midnight() -> None:
    result = parse_due("Pay rent tomorrow", NOW, MOSCOW)
    assert result == DueParse("Pay rent", datetime(2026, 12, 3, tzinfo=MOSCOW), False, None)
    assert result.due is not None
    assert result.due.tzinfo is MOSCOW


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12", date(2026, 12, 25)),
        ("02.12", date(2026, 12, 2)),  # today is not in the past
        ("01.12", date(2027, 12, 1)),  # yesterday: next year
        ("29.02", date(2028, 2, 29)),  # the next leap day, not 1 March
        ("25.12.2027", date(2027, 12, 25)),
    ],
)
def test_date_without_year_is_the_next_one_not_past(text: str, expected: date) -> None:
    result = parse_due(f"Task {text}", NOW, MOSCOW)
    assert result.due is not None
    assert result.due.date() == expected
    assert not result.has_time


@pytest.mark.parametrize(
    "text",
    [
        "Report 31.02",
        "Report 30 февраля",
        "Report on Feb 30",
        "Party 29.02.2027",
        "Trip 31.04.2027",
    ],
)
def test_a_date_that_does_not_exist_is_ambiguous_not_moved(text: str) -> None:
    assert parse_due(text, NOW, MOSCOW) == DueParse(
        title=text, due=None, has_time=False, recurrence=None, ambiguous=True
    )


# --- negatives ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Buy 2 milk",
        "Call 911",
        "Read 1984",
        "Room 101",
        "Upgrade to version 3.12",
        "5 apples",
        "Meet at the station",
        "Add 3/4 cup of sugar",
        "Write a daily standup template",
        "Купить 2 литра молока",
        "Позвонить в 112",
        "Налить в 2 стакана",
        "Принести 1.5 кг сахара",
        "Прочитать главу про среду обитания",
    ],
)
def test_numbers_that_are_not_dates_stay_in_the_title(text: str) -> None:
    assert parse_due(text, NOW, MOSCOW) == DueParse(text, None, False, None)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Call mom tomorrow at 9 please", "Call mom please"),
        ("Позвонить маме завтра в 9 насчёт дачи", "Позвонить маме насчёт дачи"),
        ("Tomorrow at 9 call the bank", "call the bank"),
    ],
)
def test_phrase_in_the_middle_is_cut_out(text: str, title: str) -> None:
    result = parse_due(text, NOW, MOSCOW)
    assert result.title == title
    assert result.due == datetime(2026, 12, 3, 9, 0, tzinfo=MOSCOW)


# --- daylight saving ----------------------------------------------------------------------------


def test_weekly_rule_stays_at_local_nine_across_the_march_change() -> None:
    now = datetime(2027, 3, 17, 12, 0, tzinfo=BERLIN)  # Berlin springs forward on 28 March
    result = parse_due("Standup every monday 9:00", now, BERLIN)
    assert result.recurrence == "FREQ=WEEKLY;BYDAY=MO"
    assert result.due == datetime(2027, 3, 22, 9, 0, tzinfo=BERLIN)
    # Evaluate the rule in local wall time, as the scheduler will, then attach the zone.
    assert result.due is not None
    rule = rrulestr(result.recurrence, dtstart=result.due.replace(tzinfo=None))
    local = [wall.replace(tzinfo=BERLIN) for wall in rule[:3]]
    assert [d.strftime("%d.%m %H:%M") for d in local] == [
        "22.03 09:00",
        "29.03 09:00",
        "05.04 09:00",
    ]
    assert [d.astimezone(UTC).hour for d in local] == [8, 7, 7]  # CET, then CEST


def test_in_hours_is_elapsed_time_across_the_change() -> None:
    now = datetime(2027, 3, 27, 20, 0, tzinfo=BERLIN)
    result = parse_due("Stretch in 8 hours", now, BERLIN)
    assert result.due is not None
    # Subtracting two datetimes of one zone compares wall clocks; elapsed time is in UTC.
    assert result.due.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=8)
    assert result.due.strftime("%H:%M") == "05:00"  # 20:00 + 8 h with an hour skipped


def test_wall_time_in_the_gap_lands_after_it() -> None:
    new_york = ZoneInfo("America/New_York")
    now = datetime(2027, 3, 13, 22, 0, tzinfo=new_york)
    result = parse_due("Feed cat tomorrow at 2:30", now, new_york)
    assert result.due is not None
    assert result.due.strftime("%Y-%m-%d %H:%M %z") == "2027-03-14 03:30 -0400"


# --- the contract -------------------------------------------------------------------------------


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_due("Call at 9", datetime(2026, 12, 2, 14, 30), MOSCOW)


def test_now_in_another_zone_is_read_in_the_persons_zone() -> None:
    utc_now = NOW.astimezone(UTC)  # 11:30 UTC is 14:30 in Moscow
    assert parse_due("Call at 9", utc_now, MOSCOW) == parse_due("Call at 9", NOW, MOSCOW)


def test_language_hint_does_not_change_the_reading() -> None:
    for text in ("Call mom tomorrow at 9", "Позвонить маме завтра в 9"):
        assert parse_due(text, NOW, MOSCOW, "ru") == parse_due(text, NOW, MOSCOW, "en")


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789 .:,/-aptmвчдй завтраtomorrowinчерез"), max_size=40)
)
def test_any_text_gives_a_consistent_answer(text: str) -> None:
    result = parse_due(text, NOW, MOSCOW)
    assert len(result.title) <= len(text)
    if result.due is None and result.recurrence is None:
        assert not result.has_time
        assert result.title == text  # nothing understood: the line as typed
    if result.due is not None:
        assert result.due.tzinfo is MOSCOW
