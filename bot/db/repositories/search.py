"""Search: one person's tasks matching a query, best first, one page and the total in one
statement.

Every status is searched; open tasks come before done ones, then the better match (a
word in the title counts more than one in the description), then the newer task. Each
backend finds the matches through its own index (migration 0009, bot.db.search), and the
person's own tasks among them through `users.telegram_id` inside the statement.

The search index must drive: both statements keep the owner's key out of reach of any index
on it. On PostgreSQL the index itself narrows the matches to the person's (their key is a
lexeme of the vector); on SQLite the full-text query matches everyone's tasks and the
person's are kept, which is flat in one person's history and grows with how many people's
tasks share a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Subquery,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Task
from bot.db.repositories.tasks import OWNER_KEY, TASK_COLUMNS, to_task
from bot.db.search import (
    POSTGRES_CONFIG,
    POSTGRES_VECTOR_COLUMN,
    SQLITE_TABLE,
    postgres_terms,
    sqlite_terms,
)
from bot.schemas import TaskRead, TaskStatus

# The person's current key, by Telegram id, as in every statement of tasks.py.
_CLOSED = (Task.status == TaskStatus.DONE).label("closed")
_TERMS = bindparam("terms", type_=Text)
# Title words weigh ten description words in SQLite's bm25 (lower is better there);
# PostgreSQL's ts_rank weighs the title (A) 1.0 and the description (B) 0.4.
_TITLE_WEIGHT = 10.0

# The owner's key, as an expression no index on the column serves. Left to itself the
# planner reads the person's tasks by that index and tests each, guessing a few dozen:
# 11 ms at 100 000 tasks where the search index takes 0.1.
_OWNER = Task.username.concat(literal_column("''"))

_VECTOR = literal_column(f"tasks.{POSTGRES_VECTOR_COLUMN}", postgresql.TSVECTOR)
_TSQUERY = func.to_tsquery(literal_column(f"'{POSTGRES_CONFIG}'::regconfig"), _TERMS)
# The owner's lexeme in the vector (migration 0009): '@' and the key, read as is.
_OWNER_TSQUERY = cast(
    func.quote_literal(literal_column("'@'").concat(OWNER_KEY)), postgresql.TSQUERY
)
_POSTGRES_MATCHES = select(
    *TASK_COLUMNS, _CLOSED, func.ts_rank(_VECTOR, _TSQUERY).label("score")
).where(
    _VECTOR.bool_op("@@")(_TSQUERY),
    _VECTOR.bool_op("@@")(_OWNER_TSQUERY),
    _OWNER == OWNER_KEY,
)

_FTS = table(SQLITE_TABLE, column("rowid", Integer), column(SQLITE_TABLE))
_BM25 = func.bm25(literal_column(SQLITE_TABLE), _TITLE_WEIGHT, 1.0)
# With the owner's index out of reach (_OWNER), SQLite runs the full-text query once and finds
# each match's task by rowid; otherwise it reads the person's tasks by index and runs the
# full-text query once for each of them (seconds at 10 000 tasks).
_SQLITE_MATCHES = (
    select(*TASK_COLUMNS, _CLOSED, (-_BM25).label("score"))
    .select_from(_FTS.join(Task.__table__, Task.id == _FTS.c.rowid))
    .where(_FTS.c[SQLITE_TABLE].match(_TERMS), _OWNER == OWNER_KEY)
)


def _page(found: Subquery) -> Select[Any]:
    """A page of the matches and how many there are. The count is a window over the
    matches, taken outside them: SQLite allows bm25() only where no window is."""
    return (
        select(
            *(found.c[column.key] for column in TASK_COLUMNS), func.count().over().label("total")
        )
        .order_by(found.c.closed, found.c.score.desc(), found.c.number.desc())
        .limit(bindparam("page_size", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


_SEARCH_PAGE = {
    "postgresql": _page(_POSTGRES_MATCHES.subquery("found")),
    "sqlite": _page(_SQLITE_MATCHES.subquery("found")),
}
_TERMS_OF = {"postgresql": postgres_terms, "sqlite": sqlite_terms}


class SearchRepository:
    """Searches on one connection; it only reads."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def page(
        self, owner: int, words: Sequence[str], page: int, page_size: int
    ) -> tuple[int, list[TaskRead]]:
        """(how many of the person's tasks match every word, those on the page). A page
        past the end has no rows to carry the count: (0, [])."""
        dialect = self._connection.dialect.name
        params = {
            "tg_id": owner,
            "terms": _TERMS_OF[dialect](words),
            "page_size": page_size,
            "offset": page * page_size,
        }
        result = await self._connection.execute(_SEARCH_PAGE[dialect], params)
        rows = result.mappings().all()
        if not rows:
            return 0, []
        return rows[0]["total"], [to_task(row) for row in rows]
