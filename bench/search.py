"""Issue 15's search: `/find` for one person as their history grows (the list-size section
runs it at 10, 1 000 and 100 000 tasks).

The person is the list-size section's ("Task number n", a quarter done, a third dated).
Five of their tasks, spread over the history, are about the dentist (four titles end in
"at the dentist", one description mentions it; whichever status the seed gave them), so
`/find dentist` shows the same five at every size: the judged target is 100 000 tasks
within 2x of 1 000, the search index keeping the cost of finding five tasks independent of
the tasks around them.

Shown, not judged: `/find number`, a word in every task. Every match is ranked before the
first page is cut, so that cost grows with the number of matches, as it must.

The floor (PostgreSQL) is the search statement on plain asyncpg: the matches through the
GIN index, ranked, one page and the count, one round trip.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.harness import username_of
from bench.usecases import UseCase

SEARCH_WORD = "dentist"
EVERY_WORD = "number"  # in every seeded title
MATCHES = 5
_PAGE_SIZE = 10  # TaskService's default

FIND_SQL = """
SELECT number, title, description, status, created_at, updated_at, done_at,
       count(*) OVER () AS total
FROM (SELECT number, title, description, status, created_at, updated_at, done_at,
             status = 'done' AS closed, ts_rank(search_vector, query) AS score
      FROM tasks, to_tsquery('russian', $2) query
      WHERE username = (SELECT username FROM users WHERE telegram_id = $1)
        AND search_vector @@ query) found
ORDER BY closed, score DESC, number DESC
LIMIT $3
"""

FIND = UseCase(
    name="/find",
    kind="message",
    marker=f"🔎 {MATCHES} tasks found for «{SEARCH_WORD}»",
    update=lambda updates, person, _step: updates.message(person, f"/find {SEARCH_WORD}"),
    floor_sql=FIND_SQL,
    floor_args=lambda person, _step, _update: (person, f"'{SEARCH_WORD}':*", _PAGE_SIZE),
    service_call=lambda service, person, _step: service.search(person, SEARCH_WORD),
)
FIND_EVERY = dataclasses.replace(
    FIND,
    name="/find, a word in every task",
    marker=f"tasks found for «{EVERY_WORD}»",
    update=lambda updates, person, _step: updates.message(person, f"/find {EVERY_WORD}"),
    floor_args=lambda person, _step, _update: (person, f"'{EVERY_WORD}':*", _PAGE_SIZE),
    service_call=lambda service, person, _step: service.search(person, EVERY_WORD),
)


def search_targets(tasks: int) -> list[int]:
    """The numbers of the five dentist tasks among `tasks` (at least 10), spread evenly."""
    return sorted({max(1, tasks * part // (MATCHES + 1)) for part in range(1, MATCHES + 1)})


_TITLES = text(
    "UPDATE tasks SET title = title || ' at the dentist' "
    "WHERE username = :name AND number IN (:a, :b, :c, :d)"
)
_DESCRIPTION = text(
    "UPDATE tasks SET description = 'ask the dentist about the bill' "
    "WHERE username = :name AND number = :e"
)


async def add_search_targets(engine: AsyncEngine, person: int, tasks: int) -> None:
    """Make five of the person's seeded tasks about the dentist, in plain SQL (the search
    index follows: a generated column on PostgreSQL, triggers on SQLite)."""
    a, b, c, d, e = search_targets(tasks)
    async with engine.begin() as connection:
        name = username_of(person)
        await connection.execute(_TITLES, {"name": name, "a": a, "b": b, "c": c, "d": d})
        await connection.execute(_DESCRIPTION, {"name": name, "e": e})
