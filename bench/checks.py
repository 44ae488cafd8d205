"""Guards against measuring the wrong thing: a use case that fails quietly (the bot's error
handlers answer politely) would look fast. Every run is checked for errors and replies."""

from __future__ import annotations

import logging

from bench.session import CannedSession
from bench.usecases import UseCase


class BenchmarkError(Exception):
    """The bot did not do what the measurement assumes; the numbers would be meaningless."""


class ErrorLog(logging.Handler):
    """Counts ERROR records anywhere (the bot logs each unexpected handler failure)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"

    def install(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def check(self, what: str) -> None:
        if self.count:
            raise BenchmarkError(f"{what}: {self.count} error(s) logged, first: {self.first}")


def expected_calls(use_case: UseCase, updates: int, *, bare: bool = False) -> dict[str, int]:
    """Bot API calls the run must have made: a reply per message, an edit and an answer per
    press (the bare floor only answers)."""
    if use_case.kind == "message":
        return {"sendMessage": updates}
    if bare:
        return {"answerCallbackQuery": updates}
    return {"editMessageText": updates, "answerCallbackQuery": updates}


def check_calls(session: CannedSession, expected: dict[str, int], what: str) -> None:
    if session.calls != expected:
        raise BenchmarkError(f"{what}: expected Bot API calls {expected}, got {session.calls}")


def check_reply(session: CannedSession, use_case: UseCase) -> None:
    if use_case.marker not in session.last_text:
        raise BenchmarkError(
            f"{use_case.name}: the reply lacks {use_case.marker!r}: {session.last_text[:200]!r}"
        )
