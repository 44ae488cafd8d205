"""Rendering helpers that replace a library call with a faster equivalent stay equivalent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from babel.dates import format_datetime
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.i18n import create_i18n
from bot.chat.rendering import MOMENT_PATTERN, format_moment

I18N = create_i18n()
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@given(moment=MOMENTS, locale=st.sampled_from(sorted(I18N.available_locales)))
def test_format_moment_writes_what_babel_writes(moment: datetime, locale: str) -> None:
    with I18N.context(), I18N.use_locale(locale):
        assert format_moment(moment) == format_datetime(
            moment, MOMENT_PATTERN, tzinfo=None, locale=locale
        )


def test_format_moment_shows_utc_whatever_the_offset() -> None:
    moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    east = moment.astimezone(timezone(timedelta(hours=3)))
    with I18N.context(), I18N.use_locale("ru"):
        assert format_moment(east) == format_moment(moment) == "31 мая 2026, 23:30 UTC"
    with I18N.context(), I18N.use_locale("en"):
        assert format_moment(moment) == "31 May 2026, 23:30 UTC"
