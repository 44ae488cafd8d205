"""The hand-written vocabulary and patterns behind `bot.services.due.parse_due`.

Everything here is an immutable constant: words mapped to numbers, and regular expressions compiled
once at import (a few milliseconds). Patterns are matched case-insensitively against the original
text, so the spans they return can be cut out of the title as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

_FLAGS: Final = re.IGNORECASE


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of the words, longest first so `sept` wins over `sep`."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# Weekday numbers follow datetime.weekday(): Monday is 0.
RRULE_DAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

EN_WEEKDAYS: Final = MappingProxyType(
    {
        "monday": 0,
        "tuesday": 1,
        "wednesday": 2,
        "thursday": 3,
        "friday": 4,
        "saturday": 5,
        "sunday": 6,
    }
)
# Accusative (в пятницу, каждую пятницу), genitive (до пятницы), dative (к пятнице).
RU_WEEKDAYS: Final = MappingProxyType(
    {
        **dict.fromkeys(("понедельник", "понедельника", "понедельнику"), 0),
        **dict.fromkeys(("вторник", "вторника", "вторнику"), 1),
        **dict.fromkeys(("среду", "среды", "среде"), 2),
        **dict.fromkeys(("четверг", "четверга", "четвергу"), 3),
        **dict.fromkeys(("пятницу", "пятницы", "пятнице"), 4),
        **dict.fromkeys(("субботу", "субботы", "субботе"), 5),
        **dict.fromkeys(("воскресенье", "воскресенья", "воскресенью"), 6),
    }
)
# "по понедельникам": the plural dative names a weekly habit.
RU_WEEKDAYS_PLURAL: Final = MappingProxyType(
    {
        "понедельникам": 0,
        "вторникам": 1,
        "средам": 2,
        "четвергам": 3,
        "пятницам": 4,
        "субботам": 5,
        "воскресеньям": 6,
    }
)
ALL_WEEKDAYS: Final = MappingProxyType({**EN_WEEKDAYS, **RU_WEEKDAYS, **RU_WEEKDAYS_PLURAL})

EN_MONTHS: Final = MappingProxyType(
    {
        **dict.fromkeys(("january", "jan"), 1),
        **dict.fromkeys(("february", "feb"), 2),
        **dict.fromkeys(("march", "mar"), 3),
        **dict.fromkeys(("april", "apr"), 4),
        "may": 5,
        **dict.fromkeys(("june", "jun"), 6),
        **dict.fromkeys(("july", "jul"), 7),
        **dict.fromkeys(("august", "aug"), 8),
        **dict.fromkeys(("september", "sept", "sep"), 9),
        **dict.fromkeys(("october", "oct"), 10),
        **dict.fromkeys(("november", "nov"), 11),
        **dict.fromkeys(("december", "dec"), 12),
    }
)
# Genitive, the form a date takes: "31 декабря".
RU_MONTHS: Final = MappingProxyType(
    {
        "января": 1,
        "февраля": 2,
        "марта": 3,
        "апреля": 4,
        "мая": 5,
        "июня": 6,
        "июля": 7,
        "августа": 8,
        "сентября": 9,
        "октября": 10,
        "ноября": 11,
        "декабря": 12,
    }
)
ALL_MONTHS: Final = MappingProxyType({**EN_MONTHS, **RU_MONTHS})

NUMBER_WORDS: Final = MappingProxyType(
    {
        "a": 1,
        "an": 1,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "fifteen": 15,
        "twenty": 20,
        "thirty": 30,
        "один": 1,
        "одну": 1,
        "одна": 1,
        "два": 2,
        "две": 2,
        "пару": 2,
        "три": 3,
        "четыре": 4,
        "пять": 5,
        "шесть": 6,
        "семь": 7,
        "восемь": 8,
        "девять": 9,
        "десять": 10,
        "пятнадцать": 15,
        "двадцать": 20,
        "тридцать": 30,
    }
)

# Units of a relative offset or an interval, by the first letters of every form used.
UNIT_MINUTE: Final = "minute"
UNIT_HOUR: Final = "hour"
UNIT_DAY: Final = "day"
UNIT_WEEK: Final = "week"
UNIT_MONTH: Final = "month"
UNIT_YEAR: Final = "year"
UNITS: Final = MappingProxyType(
    {
        **dict.fromkeys(("minute", "minutes", "min", "mins"), UNIT_MINUTE),
        **dict.fromkeys(("hour", "hours", "hr", "hrs"), UNIT_HOUR),
        **dict.fromkeys(("day", "days"), UNIT_DAY),
        **dict.fromkeys(("week", "weeks"), UNIT_WEEK),
        **dict.fromkeys(("month", "months"), UNIT_MONTH),
        **dict.fromkeys(("year", "years"), UNIT_YEAR),
        **dict.fromkeys(("минуту", "минуты", "минут", "мин"), UNIT_MINUTE),
        **dict.fromkeys(("час", "часа", "часов"), UNIT_HOUR),
        **dict.fromkeys(("день", "дня", "дней"), UNIT_DAY),
        **dict.fromkeys(("неделю", "недели", "недель"), UNIT_WEEK),
        **dict.fromkeys(("месяц", "месяца", "месяцев"), UNIT_MONTH),
        **dict.fromkeys(("год", "года", "лет"), UNIT_YEAR),
    }
)
FREQ_OF_UNIT: Final = MappingProxyType(
    {UNIT_DAY: "DAILY", UNIT_WEEK: "WEEKLY", UNIT_MONTH: "MONTHLY", UNIT_YEAR: "YEARLY"}
)

# Day parts as local wall times: the bot's fixed reading, documented in due.py.
MORNING: Final = (9, 0)
AFTERNOON: Final = (13, 0)
EVENING: Final = (19, 0)
NIGHT: Final = (23, 0)
DAY_PARTS: Final = MappingProxyType(
    {
        "morning": MORNING,
        "afternoon": AFTERNOON,
        "evening": EVENING,
        "tonight": EVENING,
        "night": NIGHT,
        "утром": MORNING,
        "утро": MORNING,
        "днём": AFTERNOON,
        "днем": AFTERNOON,
        "вечером": EVENING,
        "вечер": EVENING,
        "ночью": NIGHT,
    }
)

# A "3.12" after one of these words is a version, not the 3rd of December.
VERSION_WORDS: Final = frozenset(
    {"version", "versions", "ver", "v", "python", "release", "версия", "версии", "версию", "релиз"}
)

_NUM = rf"(?:\d{{1,3}}|{_alt(NUMBER_WORDS)})"
_WD_EN = _alt(EN_WEEKDAYS)
_WD_RU = _alt(RU_WEEKDAYS)
_WD_RU_PL = _alt(RU_WEEKDAYS_PLURAL)
_MON_EN = _alt(EN_MONTHS)
_MON_RU = _alt(RU_MONTHS)
_ORD = r"(?:st|nd|rd|th)"
_AND = r"(?:\s*,\s*|\s+(?:and|и)\s+)"

# --- recurrence -------------------------------------------------------------------------------
# "every 2 weeks", "every other week", "каждые 3 дня", "каждый месяц", "каждую неделю".
RE_EVERY_UNIT: Final = re.compile(
    rf"\b(?:every|кажд(?:ый|ую|ое|ые))\s+(?:(?P<other>other)\s+|(?P<n>{_NUM})\s+)?"
    rf"(?P<unit>days?|weeks?|months?|years?|день|дня|дней|неделю|недели|недель"
    rf"|месяц|месяца|месяцев|год|года|лет)\b",
    _FLAGS,
)
# "every monday and thursday", "каждую пятницу", "по вторникам и четвергам".
RE_EVERY_WEEKDAY: Final = re.compile(
    rf"\b(?:every|кажд(?:ый|ую|ое))\s+(?P<days>(?:{_WD_EN}|{_WD_RU})(?:{_AND}(?:{_WD_EN}|{_WD_RU}))*)\b"
    rf"|\bпо\s+(?P<pdays>(?:{_WD_RU_PL})(?:{_AND}(?:{_WD_RU_PL}))*)\b",
    _FLAGS,
)
RE_EVERY_WORKDAY: Final = re.compile(
    r"\b(?:every\s+weekday|on\s+weekdays|по\s+будням|каждый\s+будний\s+день)\b", _FLAGS
)
RE_EVERY_WEEKEND: Final = re.compile(
    r"\b(?:every\s+weekend|on\s+weekends|по\s+выходным|каждые\s+выходные)\b", _FLAGS
)
RE_EVERY_PART: Final = re.compile(
    r"\b(?:every\s+(?P<en>morning|afternoon|evening|night)"
    r"|кажд(?:ое|ый)\s+(?P<ru>утро|вечер))\b",
    _FLAGS,
)
# "every month on the 1st", "every 15th", "каждое 1 число", "каждого 15 числа",
# "15 числа каждого месяца".
RE_EVERY_MONTHDAY: Final = re.compile(
    rf"\bevery\s+(?:month\s+on\s+the\s+)?(?P<en>\d{{1,2}}){_ORD}(?:\s+of\s+the\s+month)?\b"
    r"|\bкажд(?:ое|ого)\s+(?P<ru>\d{1,2})(?:-?(?:е|го))?\s+числ[оа](?:\s+месяца)?\b"
    r"|\b(?P<ru2>\d{1,2})(?:-?го)?\s+числа\s+каждого\s+месяца\b",
    _FLAGS,
)
# "every year on Dec 25", "каждый год 8 марта".
RE_EVERY_YEAR_DATE: Final = re.compile(
    rf"\bevery\s+year\s+on\s+(?:(?P<m1>{_MON_EN})\s+(?P<d1>\d{{1,2}}){_ORD}?"
    rf"|(?:the\s+)?(?P<d2>\d{{1,2}}){_ORD}?\s+(?:of\s+)?(?P<m2>{_MON_EN}))\b"
    rf"|\bкаждый\s+год\s+(?P<d3>\d{{1,2}})\s+(?P<m3>{_MON_RU})\b",
    _FLAGS,
)
# Adverbs. The English ones count only at the end or before a time, so "a daily standup" stays.
RE_EVERY_ADVERB: Final = re.compile(
    r"\b(?:(?P<en>daily|weekly|monthly|yearly|annually)(?=\s*[.!]?\s*$|\s+at\s)"
    r"|(?P<ru>ежедневно|еженедельно|ежемесячно|ежегодно))\b",
    _FLAGS,
)
ADVERB_FREQ: Final = MappingProxyType(
    {
        "daily": "DAILY",
        "weekly": "WEEKLY",
        "monthly": "MONTHLY",
        "yearly": "YEARLY",
        "annually": "YEARLY",
        "ежедневно": "DAILY",
        "еженедельно": "WEEKLY",
        "ежемесячно": "MONTHLY",
        "ежегодно": "YEARLY",
    }
)

# --- relative offsets ---------------------------------------------------------------------------
RE_IN_OFFSET: Final = re.compile(
    rf"\b(?:in|через)\s+(?:(?P<n>{_NUM})\s+)?(?P<unit>{_alt(UNITS)})\b"
    r"|\b(?:in\s+half\s+an\s+hour|через\s+полчаса|in\s+a\s+half\s+hour)\b",
    _FLAGS,
)

# --- days ---------------------------------------------------------------------------------------
RE_ISO_DATE: Final = re.compile(r"(?<![\d.])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
# 25.12, 25.12.2027, 25.12.27. The month has two digits so "1.5 kg" stays a number.
RE_NUMERIC_DATE: Final = re.compile(
    r"(?:\b(?:до|к|на|by|on|for|before)\s+)?(?<![\d.,$€£])(0?[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])"
    r"(?:\.(\d{4}|\d{2}))?(?![\d%]|\.\d|,\d)",
    _FLAGS,
)
RE_MONTH_DATE: Final = re.compile(
    rf"(?:\b(?:on|by|for|before|до|к|на)\s+)?(?:"
    rf"\b(?:the\s+)?(?P<d1>\d{{1,2}}){_ORD}?\s+(?:of\s+)?(?P<m1>{_MON_EN}|{_MON_RU})"
    rf"|\b(?P<m2>{_MON_EN})\s+(?P<d2>\d{{1,2}}){_ORD}?)"
    r"(?:,?\s+(?P<y>\d{4})(?:\s*(?:года|г\.?))?)?(?![\w:])",
    _FLAGS,
)
RE_DAY_WORD: Final = re.compile(
    r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|tomorrow|today|послезавтра|завтра|сегодня)\b",
    _FLAGS,
)
DAY_WORD_OFFSET: Final = MappingProxyType(
    {"tomorrow": 1, "today": 0, "послезавтра": 2, "завтра": 1, "сегодня": 0}
)
RE_WEEKDAY: Final = re.compile(
    rf"(?:\b(?:on|by|before)\s+)?(?:\b(?P<en_mod>next|this)\s+)?\b(?P<en>{_WD_EN})\b"
    rf"|\b(?:в|во|до|к)\s+(?:(?P<ru_mod>следующ(?:ий|ую|ее|его|ей)|эт(?:от|у|о|ого|ой))\s+)?"
    rf"(?P<ru>{_WD_RU})\b",
    _FLAGS,
)
# "on the 15th", "25 числа": the next such day of a month, today included.
RE_MONTHDAY: Final = re.compile(
    rf"\b(?:on|by|before)\s+the\s+(?P<en>\d{{1,2}}){_ORD}\b"
    r"|(?:\b(?:до|к)\s+)?\b(?P<ru>\d{1,2})(?:-?го)?\s+числа\b",
    _FLAGS,
)
RE_NEXT_WEEK: Final = re.compile(r"\b(?:next\s+week|на\s+следующей\s+неделе)\b", _FLAGS)
RE_WEEKEND: Final = re.compile(r"\b(?:this\s+weekend|on\s+the\s+weekend|на\s+выходных)\b", _FLAGS)

# --- times --------------------------------------------------------------------------------------
# A time with something that makes it a time: minutes, am/pm, утра/вечера, часов.
RE_TIME: Final = re.compile(
    r"(?:\b(?P<pre>at|by|в|во|к)\s+)?(?<![\d:.])(?P<h>\d{1,2})"
    r"(?:(?::(?P<m>\d{2}))(?![\d:])(?:\s*(?P<ampm>[ap]\.?m\.?)(?!\w))?"
    r"|\s*(?P<ampm2>[ap]\.?m\.?)(?!\w)"
    r"|\s+(?:час(?:а|ов)?|ч\.?)(?:\s+(?P<part>утра|вечера|дня|ночи))?(?!\w)"
    r"|\s+(?P<part2>утра|вечера|дня|ночи)\b"
    r"|\s+o'clock\b)",
    _FLAGS,
)
# A bare hour after a preposition: "at 9", "в 9". Accepted only where it cannot be a count.
RE_BARE_HOUR: Final = re.compile(r"\b(?:at|в|во|к)\s+(?P<h>\d{1,2})(?![\d:.,/\w])", _FLAGS)
RE_NOON: Final = re.compile(r"(?:\b(?:at|в)\s+)?\b(?P<w>noon|midnight|полдень|полночь)\b", _FLAGS)
RE_DAY_PART: Final = re.compile(
    r"\b(?:(?P<this>this|in\s+the)\s+)?(?P<w>morning|afternoon|evening|tonight)\b"
    r"|\b(?P<ru>утром|днём|днем|вечером|ночью)\b(?!\s+рожд)",
    _FLAGS,
)
