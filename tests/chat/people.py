"""The people in the chat tests, and how the service sees them."""

from __future__ import annotations

from bot.schemas import Person
from tests.chat.harness import TgUser

ALICE = TgUser(1001, "Alice", "alice", "en")
BOB = TgUser(1002, "Боб", "bob", "ru")
NONAME = TgUser(1003, "Anon", None, "de")  # no username, a language we don't speak


def person(user: TgUser) -> Person:
    return Person(telegram_id=user.id, username=user.username, language=user.language_code)
