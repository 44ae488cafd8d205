"""Time zones as people name them: IANA names, well-known cities (English and Russian), UTC
offsets, and a shared location (resolved offline with timezonefinder)."""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

# Cities people are likely to type, in both languages, lower case -> IANA zone.
_CITIES: dict[str, str] = {
    "moscow": "Europe/Moscow", "москва": "Europe/Moscow", "мск": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow", "st petersburg": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow", "петербург": "Europe/Moscow", "спб": "Europe/Moscow",
    "kazan": "Europe/Moscow", "казань": "Europe/Moscow",
    "nizhny novgorod": "Europe/Moscow", "нижний новгород": "Europe/Moscow",
    "kaliningrad": "Europe/Kaliningrad", "калининград": "Europe/Kaliningrad",
    "samara": "Europe/Samara", "самара": "Europe/Samara",
    "yekaterinburg": "Asia/Yekaterinburg", "екатеринбург": "Asia/Yekaterinburg",
    "chelyabinsk": "Asia/Yekaterinburg", "челябинск": "Asia/Yekaterinburg",
    "omsk": "Asia/Omsk", "омск": "Asia/Omsk",
    "novosibirsk": "Asia/Novosibirsk", "новосибирск": "Asia/Novosibirsk",
    "krasnoyarsk": "Asia/Krasnoyarsk", "красноярск": "Asia/Krasnoyarsk",
    "irkutsk": "Asia/Irkutsk", "иркутск": "Asia/Irkutsk",
    "yakutsk": "Asia/Yakutsk", "якутск": "Asia/Yakutsk",
    "vladivostok": "Asia/Vladivostok", "владивосток": "Asia/Vladivostok",
    "magadan": "Asia/Magadan", "магадан": "Asia/Magadan",
    "kamchatka": "Asia/Kamchatka", "камчатка": "Asia/Kamchatka",
    "петропавловск-камчатский": "Asia/Kamchatka",
    "minsk": "Europe/Minsk", "минск": "Europe/Minsk",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "киев": "Europe/Kyiv", "київ": "Europe/Kyiv",
    "almaty": "Asia/Almaty", "алматы": "Asia/Almaty", "астана": "Asia/Almaty",
    "astana": "Asia/Almaty", "tashkent": "Asia/Tashkent", "ташкент": "Asia/Tashkent",
    "tbilisi": "Asia/Tbilisi", "тбилиси": "Asia/Tbilisi",
    "yerevan": "Asia/Yerevan", "ереван": "Asia/Yerevan",
    "baku": "Asia/Baku", "баку": "Asia/Baku",
    "riga": "Europe/Riga", "рига": "Europe/Riga", "vilnius": "Europe/Vilnius",
    "вильнюс": "Europe/Vilnius", "tallinn": "Europe/Tallinn", "таллин": "Europe/Tallinn",
    "london": "Europe/London", "лондон": "Europe/London",
    "paris": "Europe/Paris", "париж": "Europe/Paris",
    "berlin": "Europe/Berlin", "берлин": "Europe/Berlin",
    "madrid": "Europe/Madrid", "мадрид": "Europe/Madrid",
    "rome": "Europe/Rome", "рим": "Europe/Rome",
    "amsterdam": "Europe/Amsterdam", "амстердам": "Europe/Amsterdam",
    "prague": "Europe/Prague", "прага": "Europe/Prague",
    "warsaw": "Europe/Warsaw", "варшава": "Europe/Warsaw",
    "belgrade": "Europe/Belgrade", "белград": "Europe/Belgrade",
    "istanbul": "Europe/Istanbul", "стамбул": "Europe/Istanbul",
    "helsinki": "Europe/Helsinki", "хельсинки": "Europe/Helsinki",
    "lisbon": "Europe/Lisbon", "лиссабон": "Europe/Lisbon",
    "dubai": "Asia/Dubai", "дубай": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem", "тель-авив": "Asia/Jerusalem",
    "jerusalem": "Asia/Jerusalem", "иерусалим": "Asia/Jerusalem",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
    "дели": "Asia/Kolkata", "bangkok": "Asia/Bangkok", "бангкок": "Asia/Bangkok",
    "singapore": "Asia/Singapore", "сингапур": "Asia/Singapore",
    "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "пекин": "Asia/Shanghai",
    "tokyo": "Asia/Tokyo", "токио": "Asia/Tokyo",
    "seoul": "Asia/Seoul", "сеул": "Asia/Seoul",
    "sydney": "Australia/Sydney", "сидней": "Australia/Sydney",
    "new york": "America/New_York", "нью-йорк": "America/New_York", "nyc": "America/New_York",
    "chicago": "America/Chicago", "чикаго": "America/Chicago",
    "denver": "America/Denver", "los angeles": "America/Los_Angeles",
    "лос-анджелес": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "сан-франциско": "America/Los_Angeles", "toronto": "America/Toronto",
    "торонто": "America/Toronto", "mexico city": "America/Mexico_City",
    "sao paulo": "America/Sao_Paulo", "buenos aires": "America/Argentina/Buenos_Aires",
}  # fmt: skip

# Offsets that are not whole hours have no Etc/ zone: the place that uses each.
_ODD_OFFSETS = {
    (3, 30): "Asia/Tehran",
    (4, 30): "Asia/Kabul",
    (5, 30): "Asia/Kolkata",
    (5, 45): "Asia/Kathmandu",
    (6, 30): "Asia/Yangon",
    (9, 30): "Australia/Darwin",
    (-3, -30): "America/St_Johns",
    (-9, -30): "Pacific/Marquesas",
}
_OFFSET = re.compile(r"^(?:utc|gmt|мск)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$")


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name, by its lower-case spelling (and its city with spaces)."""
    names: dict[str, str] = {}
    for name in zoneinfo.available_timezones():
        names[name.lower()] = name
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        names.setdefault(city, name)
    return names


def resolve_zone(text: str) -> ZoneInfo | None:
    """The zone a person means by `text`, or None."""
    wanted = " ".join(text.strip().lower().replace("ё", "е").split())
    if not wanted:
        return None
    if wanted in {"utc", "gmt", "z"}:
        return ZoneInfo("UTC")
    name = _CITIES.get(wanted) or _zone_names().get(wanted)
    if name is None:
        name = _offset_zone(wanted)
    return ZoneInfo(name) if name else None


def _offset_zone(text: str) -> str | None:
    match = _OFFSET.match(text.replace(" ", ""))
    if match is None:
        return None
    sign = -1 if match[1] in "-−" else 1
    hours, minutes = int(match[2]), int(match[3] or 0)
    if minutes:
        return _ODD_OFFSETS.get((sign * hours, sign * minutes))
    if hours > 14:
        return None
    if hours == 0:
        return "UTC"
    # The Etc/ zones count the other way round: UTC+3 is Etc/GMT-3.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def zone_at(latitude: float, longitude: float) -> ZoneInfo | None:
    """The zone of a place on Earth, from data shipped with the package (no network)."""
    name = _finder().timezone_at(lng=longitude, lat=latitude)
    return ZoneInfo(name) if name else None


@functools.cache
def _finder() -> TimezoneFinder:
    # Imported (and its data opened) on the first shared location, not at start.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()
