"""Full-text search in each backend's terms: the objects migration 0009 made, and a search's
words as each backend's query.

A search is plain words (bot.services.search: letters and digits only, lower case), each
to be matched as a prefix, all of them in one task. PostgreSQL stems each word itself
(`to_tsquery` in the `russian` configuration: Russian words by the Russian stemmer, ASCII
ones by the English) and matches the stem as a prefix. SQLite's FTS5 has no stemmer, so
the word's stem is taken here, with the same Snowball stemmers, and matched as a prefix
of the words stored: "задачу" finds "задача", "tasks" finds "task".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import snowballstemmer

# What migration 0009 made; no model declares them (see alembic/env.py).
POSTGRES_VECTOR_COLUMN = "search_vector"  # tasks.search_vector, generated
POSTGRES_INDEX = "ix_tasks_search"  # GIN on it
SQLITE_TABLE = "tasks_search"  # FTS5, contentless; FTS5 adds tables named tasks_search_*
SQLITE_TRIGGERS = ("tasks_search_insert", "tasks_search_delete", "tasks_search_update")
POSTGRES_CONFIG = "russian"

# A stem shorter than this is too broad a prefix: the word itself is used up to this length.
MIN_PREFIX = 3


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # snowballstemmer's name


_RUSSIAN: _Stemmer = snowballstemmer.stemmer("russian")
_ENGLISH: _Stemmer = snowballstemmer.stemmer("english")


def postgres_terms(words: Sequence[str]) -> str:
    """`to_tsquery` text: every word, as a prefix of its stem. The words are letters and
    digits only, so nothing in them is tsquery syntax."""
    return " & ".join(f"'{word}':*" for word in words)


def sqlite_terms(words: Sequence[str]) -> str:
    """An FTS5 query: every word's stem, quoted (so nothing is FTS5 syntax), as a prefix."""
    return " ".join(f'"{sqlite_prefix(word)}"*' for word in words)


def sqlite_prefix(word: str) -> str:
    """What a stored word must begin with to match `word`: its stem, cut back to where it
    still begins the word itself (Snowball turns "party" into "parti"), ё read as е as the
    index does, and never shorter than MIN_PREFIX letters of the word."""
    word = fold(word)
    stemmer = _stemmer(word)
    stem = stemmer.stemWord(word) if stemmer is not None else word
    shared = 0
    while shared < min(len(word), len(stem)) and word[shared] == stem[shared]:
        shared += 1
    return word[: max(shared, MIN_PREFIX)]


def fold(text: str) -> str:
    """ё read as е (the SQLite index stores text this way)."""
    return text.replace("ё", "е").replace("Ё", "Е")


def _stemmer(word: str) -> _Stemmer | None:
    if any("а" <= letter <= "я" for letter in word):
        return _RUSSIAN
    if any("a" <= letter <= "z" for letter in word):
        return _ENGLISH
    return None
