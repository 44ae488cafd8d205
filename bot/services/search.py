"""What a search looks for: the plain words of whatever a person typed.

A query is cut down to letters and digits, so quotes, `*`, `:`, `&`, `(`, `-` or `NEAR`
never reach a backend's query language as syntax, and to QUERY_MAX_BYTES, so the page
buttons under the results can carry it back (Telegram allows 64 bytes of callback data; a
stateless button still works after a restart). Every word is matched as a prefix of its
stem, and all of them must match (bot.db.search).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# UTF-8 bytes of the words kept, joined by spaces: a few words in any language (18
# Cyrillic letters, 36 Latin). bot.chat.callbacks.SearchCallback has room for this much.
QUERY_MAX_BYTES = 36

_WORD = re.compile(r"[^\W_]+")
# Words that narrow nothing: left out while the query has others. PostgreSQL's
# configurations drop these (and more) anyway; SQLite has no stop words and would demand
# them, so "buy the milk" would miss "Buy milk" there.
FILLER_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "а",
        "в",
        "во",
        "для",
        "до",
        "за",
        "и",
        "из",
        "к",
        "на",
        "не",
        "но",
        "о",
        "об",
        "от",
        "по",
        "с",
        "со",
        "у",
        "что",
    }
)


class SearchQuery(NamedTuple):
    words: tuple[str, ...]
    cut: bool  # words were left out or shortened to fit QUERY_MAX_BYTES


def read_query(text: str) -> SearchQuery:
    """The words to look for, in the order typed, lower case, each once; no words when the
    text has no letters or digits."""
    found = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    words = list(dict.fromkeys(found))
    telling = [word for word in words if word not in FILLER_WORDS and len(word) > 1]
    return _fit(telling or words)


def _fit(words: list[str]) -> SearchQuery:
    kept: list[str] = []
    used = -1  # no space before the first word
    for word in words:
        size = len(word.encode()) + 1
        if used + size > QUERY_MAX_BYTES:
            if not kept:  # one long word: its beginning, still a prefix of it
                kept.append(_clip_bytes(word, QUERY_MAX_BYTES))
            return SearchQuery(tuple(kept), cut=True)
        kept.append(word)
        used += size
    return SearchQuery(tuple(kept), cut=False)


def _clip_bytes(word: str, limit: int) -> str:
    return word.encode()[:limit].decode(errors="ignore")
