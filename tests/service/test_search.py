"""Search through TaskService against real PostgreSQL and SQLite (every test runs on both)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.repositories.search import _SEARCH_PAGE
from bot.db.search import (
    POSTGRES_INDEX,
    SQLITE_TABLE,
    SQLITE_TRIGGERS,
    postgres_terms,
    sqlite_terms,
)
from bot.schemas import Person, TaskStatus
from bot.services import NothingToSearch, TaskService
from tests.service.test_task_service import ALICE, BOB, add


async def numbers(service: TaskService, query: str, person: Person = ALICE) -> list[int]:
    return [task.number for task in (await service.search(person, query)).items]


async def test_titles_and_descriptions_in_either_language_and_case(
    task_service: TaskService,
) -> None:
    await add(task_service, ALICE, "Buy MILK\n2 litres")
    await add(task_service, ALICE, "Call the bank\nask about the card fee")
    await add(task_service, ALICE, "Купить хлеб")
    await add(task_service, ALICE, "Позвонить маме\nпро Ёлку на праздник")
    assert await numbers(task_service, "milk") == [1]
    assert await numbers(task_service, "Litres") == [1]
    assert await numbers(task_service, "CARD") == [2]  # in the description
    assert await numbers(task_service, "ХЛЕБ") == [3]
    assert await numbers(task_service, "елка") == [4]  # ё and е alike, and another case
    assert await numbers(task_service, "bank card") == [2]  # every word, title or description
    assert await numbers(task_service, "bank milk") == []


async def test_inflections_and_beginnings_of_words_match(task_service: TaskService) -> None:
    await add(task_service, ALICE, "Finish the tasks")
    await add(task_service, ALICE, "Важная задача")
    await add(task_service, ALICE, "Купить молоко")
    await add(task_service, ALICE, "Plan parties")
    assert await numbers(task_service, "task") == [1]
    assert await numbers(task_service, "finishing") == [1]
    assert await numbers(task_service, "задачу") == [2]
    assert await numbers(task_service, "задачами") == [2]
    assert await numbers(task_service, "купила") == [3]
    assert await numbers(task_service, "купить") == [3]
    assert await numbers(task_service, "мол") == [3]  # a word being typed
    assert await numbers(task_service, "party") == [4]


async def test_open_before_done_then_title_before_description_then_newer(
    task_service: TaskService,
) -> None:
    # Titles of one length: SQLite's bm25 also favours the shorter of two texts.
    await add(task_service, ALICE, "Call\nabout the dentist")
    await add(task_service, ALICE, "Dentist visit")
    await add(task_service, ALICE, "Dentist bill")
    await add(task_service, ALICE, "Book dentist")
    await task_service.set_status(ALICE, 3, TaskStatus.DONE)
    await task_service.set_status(ALICE, 4, TaskStatus.IN_PROGRESS)
    found = await task_service.search(ALICE, "dentist")
    assert [task.number for task in found.items] == [4, 2, 1, 3]
    assert [task.status for task in found.items][-1] is TaskStatus.DONE
    assert found.total == 4


async def test_only_the_persons_own_tasks(task_service: TaskService) -> None:
    await add(task_service, ALICE, "Buy milk")
    await add(task_service, BOB, "Buy milk")
    await add(task_service, BOB, "Milk cow")
    assert await numbers(task_service, "milk", BOB) == [2, 1]
    assert await numbers(task_service, "milk", ALICE) == [1]
    stranger = Person(telegram_id=1003, username="carol", language="en")
    assert await numbers(task_service, "milk", stranger) == []


async def test_a_renamed_person_finds_their_tasks(task_service: TaskService) -> None:
    await add(task_service, ALICE, "Buy milk")
    renamed = Person(telegram_id=ALICE.telegram_id, username="alice_2", language="en")
    await task_service.sync_user(renamed)  # the key changes; the tasks move with it
    assert await numbers(task_service, "milk", renamed) == [1]
    gone = Person(telegram_id=ALICE.telegram_id, username=None, language="en")
    await task_service.sync_user(gone)  # no username: the key is #<telegram id>
    assert await numbers(task_service, "milk", gone) == [1]


async def test_adds_edits_and_deletes_show_at_once(task_service: TaskService) -> None:
    number = await add(task_service, ALICE, "Buy milk")
    await task_service.edit_task(ALICE, number, "Buy bread")
    assert await numbers(task_service, "milk") == []
    assert await numbers(task_service, "bread") == [number]
    await task_service.edit_task(ALICE, number, "Buy bread\nand butter")
    assert await numbers(task_service, "butter") == [number]
    await task_service.clear_description(ALICE, number)
    assert await numbers(task_service, "butter") == []
    await task_service.set_status(ALICE, number, TaskStatus.DONE)  # not an edit of the text
    assert await numbers(task_service, "bread") == [number]
    await task_service.delete_task(ALICE, number)
    assert await numbers(task_service, "bread") == []


async def test_tags_are_searched_and_follow_their_changes(task_service: TaskService) -> None:
    number = await add(task_service, ALICE, "Call the plumber #home")
    other = await add(task_service, ALICE, "Report #работа")
    assert await numbers(task_service, "home") == [number]
    assert await numbers(task_service, "работу") == [other]  # inflected, as words are
    await task_service.set_tags(ALICE, number, "#garden")
    assert await numbers(task_service, "home") == []
    assert await numbers(task_service, "garden plumber") == [number]
    assert await numbers(task_service, "garden", BOB) == []


async def test_an_edited_message_is_searched_as_it_now_reads(task_service: TaskService) -> None:
    result = await task_service.add_task(ALICE, "Buy milk", chat_id=7, message_id=70)
    await task_service.edit_from_message(ALICE, "Buy jam", chat_id=7, message_id=70)
    assert await numbers(task_service, "jam") == [result.task.number]
    assert await numbers(task_service, "milk") == []


# What each backend's query language would read as syntax, and what the words alone find.
SYNTAX: tuple[tuple[str, set[int]], ...] = (
    ('"milk', {1, 2}),
    ("milk*", {1, 2}),
    ("milk:*", {1, 2}),
    ("(milk", {1, 2}),
    ("-milk", {1, 2}),  # not a NOT
    ("^milk", {1, 2}),
    ("milk\\", {1, 2}),
    ("milk & bread", {2}),
    ("milk | !bread", {2}),  # not an OR
    ("milk OR bread", {2}),
    ("milk <-> bread", {2}),
    ("bread' OR 1=1 --", {2}),
    ("title:milk", set()),  # no column filter: "title" is a word to find
    ("{title description}: milk", set()),
    ("NEAR(milk bread, 2)", set()),  # "near" too
)


async def test_query_syntax_is_read_as_plain_words(task_service: TaskService) -> None:
    await add(task_service, ALICE, "Buy milk")
    await add(task_service, ALICE, "Bread and milk")
    for query, expected in SYNTAX:
        assert set(await numbers(task_service, query)) == expected, query


@pytest.mark.parametrize("query", ["", "   ", "*** --- !!!", "«»", "_"])
async def test_no_words_is_refused(task_service: TaskService, query: str) -> None:
    await add(task_service, ALICE, "Buy milk")
    with pytest.raises(NothingToSearch):
        await task_service.search(ALICE, query)


async def test_pages_and_a_page_past_the_end(task_service: TaskService) -> None:
    for number in range(1, 13):
        await add(task_service, ALICE, f"Item {number}")
    first = await task_service.search(ALICE, "item")
    assert (first.total, first.pages, first.page) == (12, 3, 0)
    assert [task.number for task in first.items] == [12, 11, 10, 9, 8]
    last = await task_service.search(ALICE, "item", page=2)
    assert [task.number for task in last.items] == [2, 1]
    for number in range(1, 8):
        await task_service.delete_task(ALICE, number)
    shrunk = await task_service.search(ALICE, "item", page=2)  # a button from before
    assert (shrunk.page, shrunk.total) == (0, 5)
    assert [task.number for task in shrunk.items] == [12, 11, 10, 9, 8]
    forged = await task_service.search(ALICE, "item", page=10**12)
    assert forged.page == 0


async def test_a_long_query_is_cut_to_its_first_words(task_service: TaskService) -> None:
    await add(task_service, ALICE, "Renew the passport at the consulate before the trip")
    found = await task_service.search(
        ALICE, "renew passport consulate before trip and many more words " * 40
    )
    assert found.cut
    assert found.words[:3] == ("renew", "passport", "consulate")
    assert [task.number for task in found.items] == [1]


@given(query=st.text(max_size=200))
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
async def test_any_text_searches_or_is_refused(task_service: TaskService, query: str) -> None:
    await task_service.add_task(ALICE, "Buy milk", chat_id=1, message_id=1)  # once: idempotent
    try:
        found = await task_service.search(ALICE, query)
    except NothingToSearch:
        return
    assert found.total == len(found.items) <= 1


_PG_HISTORY = """
INSERT INTO tasks (username, number, title, status, created_at, updated_at, chat_id, message_id)
SELECT :person, n, 'Task number ' || n, 'pending', now(), now(), -1, n
FROM generate_series(2, 1001) n
"""


async def test_search_objects_exist_and_the_search_reads_its_index(
    engine: AsyncEngine, task_service: TaskService
) -> None:
    """The objects migration 0009 made outside the models (alembic/env.py leaves them out
    of the models comparison), and the plan reading the search index, not every task."""
    await add(task_service, ALICE, "Buy milk")
    terms = {"postgresql": postgres_terms, "sqlite": sqlite_terms}[engine.dialect.name]
    statement = _SEARCH_PAGE[engine.dialect.name].params(
        tg_id=ALICE.telegram_id, terms=terms(["milk"]), page_size=5, offset=0
    )
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            column = await connection.execute(
                text(
                    "SELECT generation_expression FROM information_schema.columns "
                    "WHERE table_name = 'tasks' AND column_name = 'search_vector'"
                )
            )
            assert "to_tsvector('russian'" in column.scalar_one()
            index = await connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": POSTGRES_INDEX},
            )
            assert "USING gin (search_vector)" in index.scalar_one()
            # A history long enough that reading all of it costs more than the search
            # index; scanning the table is still cheaper at this size (bench/ measures
            # 100 000 tasks, where the plan is this one by itself).
            await connection.execute(text(_PG_HISTORY), {"person": ALICE.key})
            await connection.execute(text("ANALYZE tasks"))
            await connection.execute(text("SET enable_seqscan = off"))
            sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
            rows = await connection.execute(text(f"EXPLAIN {sql}"))
            plan = "\n".join(str(row[0]) for row in rows)
            assert POSTGRES_INDEX in plan, plan
            return
        objects = await connection.execute(
            text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('tasks', :fts)"),
            {"fts": SQLITE_TABLE},
        )
        found = {(kind, name): sql for kind, name, sql in objects}
        assert "USING fts5" in found["table", SQLITE_TABLE]
        assert {name for kind, name in found if kind == "trigger"} >= set(SQLITE_TRIGGERS)
        sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
        rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        steps = [str(row[3]) for row in rows]
        # The full-text query runs once and each match finds its task by rowid; not the
        # person's tasks read by index, with the full-text query run for each (`=M`).
        matches = steps.index(f"SCAN {SQLITE_TABLE} VIRTUAL TABLE INDEX 0:M2")
        assert steps[matches + 1] == "SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)", steps
