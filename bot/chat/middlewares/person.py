"""The sender as a `Person` for handlers; the service syncs them in each use case, inside the
use case's own statement or transaction, so this costs no database round trip."""

from __future__ import annotations

from aiogram.types import User

from bot.schemas import Person


def person_of(user: User) -> Person | None:
    """None for bots: channel posts and other bots have no to-do list here."""
    if user.is_bot:
        return None
    return Person(telegram_id=user.id, username=user.username, language=user.language_code)
