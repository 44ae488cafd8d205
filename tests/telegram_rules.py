"""Telegram's checks on an outgoing message, shared by the in-process recording session and
the HTTP fake server, so both refuse what Telegram would refuse."""

from __future__ import annotations

from typing import Any

from tests.e2e.fake_telegram import (
    MAX_TEXT_LENGTH,
    ApiError,
    HtmlParseError,
    _parse_reply_markup,
    _utf16_len,
    parse_html,
)


def validate_outgoing(
    text: str, parse_mode: str | None, markup: dict[str, Any] | None
) -> str | None:
    """Telegram's error description for this message, or None when Telegram would accept it."""
    if not text:
        return "Bad Request: message text is empty"
    plain = text
    if (parse_mode or "").lower() == "html":
        try:
            plain, _entities = parse_html(text)
        except HtmlParseError as error:
            return f"Bad Request: can't parse entities: {error}"
    if not plain.strip():
        return "Bad Request: text must be non-empty"
    if _utf16_len(plain) > MAX_TEXT_LENGTH:
        return "Bad Request: message is too long"
    try:
        _parse_reply_markup(markup)
    except ApiError as error:
        return error.description
    return None
