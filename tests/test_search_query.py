"""A query's words (bot.services.search) and each backend's query made of them
(bot.db.search): no database needed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.db.search import postgres_terms, sqlite_prefix, sqlite_terms
from bot.services.search import QUERY_MAX_BYTES, read_query


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Buy MILK", ("buy", "milk")),
        ("  купить   Хлеб ", ("купить", "хлеб")),
        ('"milk" AND (bread*) -eggs:', ("milk", "bread", "eggs")),
        ("milk milk MILK", ("milk",)),
        ("buy the milk", ("buy", "milk")),  # filler words go while others are left
        ("сходить в магазин", ("сходить", "магазин")),
        ("the", ("the",)),  # ... and stay when they are all there is
        ("room 2", ("room",)),
        ("2", ("2",)),
        ("e-mail foo_bar", ("mail", "foo", "bar")),
        ("й", ("й",)),
        ("и\u0306ога", ("йога",)),  # й typed as и and a combining breve: one letter
        ("*** !!!", ()),
        ("", ()),
    ],
)
def test_words(text: str, words: tuple[str, ...]) -> None:
    assert read_query(text).words == words


def test_a_long_query_keeps_whole_words_that_fit() -> None:
    query = read_query("позвонить маме насчёт билетов на поезд в пятницу")
    assert query.cut
    assert query.words == ("позвонить", "маме")  # 9 + 1 + 4 letters: 27 bytes; one more: 43
    assert len(" ".join(query.words).encode()) <= QUERY_MAX_BYTES
    assert not read_query("buy milk and bread and eggs and butter").cut


def test_one_long_word_is_cut_to_its_beginning() -> None:
    query = read_query("достопримечательности")
    assert query.cut
    assert query.words == ("достопримечательно",)  # 18 letters, 36 bytes: still a prefix


@given(st.text())
def test_any_text_gives_plain_words_that_fit(text: str) -> None:
    query = read_query(text)
    assert len(" ".join(query.words).encode()) <= QUERY_MAX_BYTES
    for word in query.words:
        assert word
        assert all(char.isalnum() for char in word)


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("tasks", "task"),
        ("finishing", "finish"),
        ("party", "part"),  # Snowball's "parti" does not begin "party"
        ("задачу", "задач"),
        ("купила", "куп"),
        ("ёлку", "елк"),  # ё as е, as the index stores it
        ("мой", "мой"),  # a stem shorter than three letters is too broad
        ("ел", "ел"),
        ("2026", "2026"),
        ("café", "café"),  # FTS5 reads it as "cafe", as it stored it
    ],
)
def test_sqlite_prefix(word: str, prefix: str) -> None:
    assert sqlite_prefix(word) == prefix


def test_backend_queries() -> None:
    assert postgres_terms(("buy", "молоко")) == "'buy':* & 'молоко':*"
    assert sqlite_terms(("buy", "молоко")) == '"buy"* "молок"*'
