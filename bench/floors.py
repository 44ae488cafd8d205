"""The SQL floor: the least PostgreSQL work each use case needs, as one prepared statement on
one asyncpg connection (autocommit, so one round trip each). Adjust RAW_STATEMENTS when the
schema changes; each must return at least one row when the use case succeeds."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import BenchmarkError
from bench.databases import Database
from bench.load import drive
from bench.people import People
from bench.seed import add_people
from bench.stats import Summary, summarise
from bench.usecases import UseCase

# Parameters: $1 is the person's Telegram id; the rest as each use case's `raw_args`.
RAW_STATEMENTS: dict[str, str] = {
    "/add": """
        WITH me AS (
            UPDATE users SET last_task_number = last_task_number + 1
            WHERE telegram_id = $1
            RETURNING username, last_task_number
        )
        INSERT INTO tasks (username, number, title, description, status, created_at,
                           updated_at, chat_id, message_id)
        SELECT username, last_task_number, $2, NULL, 'pending', now(), now(), $3, $4 FROM me
        RETURNING number, title, description, status, created_at, updated_at, done_at
    """,
    # The first page of open tasks (in progress first, then to do, each by number) and the
    # person's totals, in one statement. Totals come from the per-person counters (migration
    # 0002); each status is read in index order and cut at a page, so no sort sees more.
    "/list": """
        SELECT u.open_count, u.done_count,
               t.number, t.title, t.description, t.status, t.created_at, t.updated_at,
               t.done_at
        FROM users u
        LEFT JOIN LATERAL (
            (SELECT *, 0 AS rank FROM tasks
             WHERE username = u.username AND status = 'in_progress' ORDER BY number LIMIT 10)
            UNION ALL
            (SELECT *, 1 AS rank FROM tasks
             WHERE username = u.username AND status = 'pending' ORDER BY number LIMIT 10)
            ORDER BY rank, number
            LIMIT 10
        ) t ON true
        WHERE u.telegram_id = $1
        ORDER BY t.rank, t.number
    """,
    "open card": """
        SELECT t.number, t.title, t.description, t.status, t.created_at, t.updated_at,
               t.done_at
        FROM tasks t JOIN users u ON u.username = t.username
        WHERE u.telegram_id = $1 AND t.number = $2
    """,
    "status button": """
        UPDATE tasks t SET status = $3::text, updated_at = now(),
            done_at = CASE WHEN $3::text = 'done' THEN coalesce(t.done_at, now()) ELSE NULL END
        FROM users u
        WHERE u.username = t.username AND u.telegram_id = $1 AND t.number = $2
        RETURNING t.number, t.title, t.description, t.status, t.created_at, t.updated_at,
                  t.done_at
    """,
}
RAW_STATEMENTS["/done n"] = RAW_STATEMENTS["status button"]


async def run_raw(
    dsn: str, name: str, args: Sequence[tuple[object, ...]], *, warmup: int
) -> Summary:
    """Run statement `name` once per argument tuple at concurrency 1; time all but the first
    `warmup` (which also prove the statement returns rows)."""
    connection = await asyncpg.connect(dsn)
    try:
        statement = await connection.prepare(RAW_STATEMENTS[name])
        for step_args in args[:warmup]:
            if not await statement.fetch(*step_args):
                raise BenchmarkError(f"raw statement for {name} returned no rows: {step_args}")
        sample = await drive([[partial(statement.fetch, *a) for a in args[warmup:]]])
    finally:
        await connection.close()
    return summarise(sample)


async def run_sql_floor(
    database: Database,
    engine: AsyncEngine,
    people: People,
    use_case: UseCase,
    *,
    updates: int,
    warmup: int,
) -> Summary:
    """The use case's raw statement for fresh people with the same data as the real run."""
    [person] = people.take(1)
    await add_people(engine, [person], use_case.tasks_for(warmup + updates))
    args = [use_case.raw_args(person, step) for step in range(warmup + updates)]
    return await run_raw(database.dsn, use_case.name, args, warmup=warmup)
