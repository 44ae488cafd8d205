"""How a message becomes a task's title and description."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.schemas import TAG_MAX_LENGTH
from bot.services.errors import EmptyTitle, InvalidText, TextTooLong

TITLE_MAX_LENGTH = 256
DESCRIPTION_MAX_LENGTH = 3000
TEXT_MAX_LENGTH = TITLE_MAX_LENGTH + DESCRIPTION_MAX_LENGTH

# Where a long first line may be cut: after a sentence's end, else before a space.
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
_SPACE = re.compile(r"\s")


class TaskText(NamedTuple):
    title: str
    description: str | None


def split_title(line: str, limit: int = TITLE_MAX_LENGTH) -> tuple[str, str]:
    """A first line longer than `limit`, cut where a reader would: at the last sentence end
    that fits, else the last space that fits, else at `limit` itself."""
    if len(line) <= limit:
        return line, ""
    head = line[: limit + 1]
    ends = [match.end() for match in _SENTENCE_END.finditer(head) if match.end() <= limit]
    if not ends:
        ends = [match.start() for match in _SPACE.finditer(head) if 0 < match.start() <= limit]
    cut = ends[-1] if ends else limit
    return line[:cut].rstrip(), line[cut:].strip()


def parse_task_text(text: str) -> TaskText:
    """First line is the title, the rest the description; both trimmed, otherwise as written.

    A first line over the title's limit is split (the rest opens the description); only text
    that cannot fit in both is refused, and then the limit is named.
    """
    if "\x00" in text:
        raise InvalidText()
    first_line, _, rest = text.strip().partition("\n")
    title, overflow = split_title(first_line.strip())
    rest = rest.strip()
    description = "\n".join(part for part in (overflow, rest) if part) or None
    if not title:
        raise EmptyTitle()
    if description is not None and len(description) > DESCRIPTION_MAX_LENGTH:
        if overflow:  # one long text, split by us: name the whole limit
            raise TextTooLong("text", TEXT_MAX_LENGTH, len(text.strip()))
        raise TextTooLong("description", DESCRIPTION_MAX_LENGTH, len(description))
    return TaskText(title, description)


# A list item's mark: "-", "*", "•", "–", "1.", "2)", "[ ]", "[x]".
_BULLET = re.compile(r"^\s*(?:[-*•–—+]|\d{1,3}[.)]|\[[ xX]?\])\s+")


def lines_of(text: str) -> list[str]:
    """The non-empty lines, trimmed, without their list marks."""
    return [_BULLET.sub("", line).strip() for line in text.split("\n") if line.strip()]


def is_bulleted_list(text: str) -> bool:
    """Two or more lines, each one a list item: one task per line, without asking."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 2 and all(_BULLET.match(line) for line in lines)


# "!1" (high) to "!3" (low), or a word, English or Russian, standing alone in the text.
_PRIORITY_WORDS = {
    "1": 1, "high": 1, "urgent": 1, "важно": 1, "срочно": 1, "высокий": 1,
    "2": 2, "medium": 2, "normal": 2, "средне": 2, "средний": 2,
    "3": 3, "low": 3, "низкий": 3, "неважно": 3,
}  # fmt: skip
_PRIORITY = re.compile(r"(?:^|\s)!(\w+)(?=\s|$)")


def read_priority(title: str) -> tuple[str, int | None]:
    """The title without its priority mark, and the priority (1 high to 3 low; None: no
    mark). An unknown word after "!" ("Wow!great") is left alone."""
    for match in _PRIORITY.finditer(title):
        priority = _PRIORITY_WORDS.get(match[1].lower())
        if priority is not None:
            rest = (title[: match.start()] + title[match.end() :]).strip()
            return " ".join(rest.split()) or title, priority
    return title, None


# "#home", "#работа", "#to-do": a "#" at a word's start, then a letter (so "#3" stays a task
# number), letters, digits, "_" or "-"; a sentence's punctuation may follow.
_TAG = re.compile(rf"(?:^|(?<=\s))#([^\W\d_][\w-]{{0,{TAG_MAX_LENGTH - 1}}})(?=[\s.,;:!?)]|$)")


_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")
_WORD = re.compile(r"\w")


def normalize_tag(name: str) -> str | None:
    """A tag's stored form ("Home" → "home"); None when it is no tag ("3", "", too long)."""
    name = name.strip().removeprefix("#").lower().rstrip("-")
    match = _TAG.fullmatch(f"#{name}")
    return match[1] if match else None


def read_tags(title: str) -> tuple[str, tuple[str, ...]]:
    """The title without its tags, and the tags (lower case, sorted, each once). A title that
    is nothing but tags keeps its words."""
    names = {name for match in _TAG.finditer(title) if (name := normalize_tag(match[1]))}
    if not names:
        return title, ()
    rest = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(_TAG.sub("", title).split()))
    return (rest if _WORD.search(rest) else title), tuple(sorted(names))


def parse_tag_list(text: str) -> tuple[str, ...] | None:
    """The tags someone typed to set a task's tags ("#home work", "-" for none); None when
    a word is no tag."""
    names = set()
    for word in text.replace(",", " ").split():
        if word in ("-", "—"):
            continue
        name = normalize_tag(word)
        if name is None:
            return None
        names.add(name)
    return tuple(sorted(names))
