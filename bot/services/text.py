"""How a message becomes a task's title and description."""

from __future__ import annotations

from typing import NamedTuple

from bot.services.errors import EmptyTitle, InvalidText, TextTooLong

TITLE_MAX_LENGTH = 256
DESCRIPTION_MAX_LENGTH = 3000


class TaskText(NamedTuple):
    title: str
    description: str | None


def parse_task_text(text: str) -> TaskText:
    """First line is the title, the rest the description; both trimmed, otherwise as written."""
    if "\x00" in text:
        raise InvalidText()
    first_line, _, rest = text.strip().partition("\n")
    title = first_line.strip()
    description = rest.strip() or None
    if not title:
        raise EmptyTitle()
    if len(title) > TITLE_MAX_LENGTH:
        raise TextTooLong("title", TITLE_MAX_LENGTH, len(title))
    if description is not None and len(description) > DESCRIPTION_MAX_LENGTH:
        raise TextTooLong("description", DESCRIPTION_MAX_LENGTH, len(description))
    return TaskText(title, description)
