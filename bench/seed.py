"""Puts people and their tasks straight into the database, fast, before a measurement.

Each person gets tasks 1..n in a fixed mix of statuses (every 4th done, every 5th from #1 in
progress, the rest to do) so lists have all three; #2 is always to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.people import username_of
from bot.db import Task, User
from bot.schemas import TaskStatus

# 'bench' || id is people.username_of(id), in SQL.
_PG_USERS = text(
    """
    INSERT INTO users (username, telegram_id, language, last_task_number, created_at, updated_at)
    SELECT 'bench' || id, id, 'en', :tasks, now(), now() FROM unnest(CAST(:ids AS bigint[])) id
    """
)
# One statement for any number of tasks; the CASEs mirror status_of() below.
_PG_TASKS = text(
    """
    INSERT INTO tasks
        (username, number, title, description, status, created_at, updated_at, done_at,
         chat_id, message_id)
    SELECT 'bench' || id, n, 'Task number ' || n, NULL,
           CASE WHEN n % 4 = 0 THEN 'done' WHEN n % 5 = 1 THEN 'in_progress' ELSE 'pending' END,
           now(), now(), CASE WHEN n % 4 = 0 THEN now() END, id, n
    FROM unnest(CAST(:ids AS bigint[])) id, generate_series(1, :tasks) n
    """
)

# Per-person counters kept by triggers (migration 0002), where the schema has them.
_KEEPS_COUNTERS = {"open_count", "done_count"} <= set(User.__table__.columns.keys())
_PG_RECOUNT = text(
    """
    UPDATE users u SET open_count = c.open, done_count = c.done
    FROM (SELECT username,
                 count(*) FILTER (WHERE status <> 'done') AS open,
                 count(*) FILTER (WHERE status = 'done') AS done
          FROM tasks WHERE username IN (SELECT 'bench' || id FROM unnest(CAST(:ids AS bigint[])) id)
          GROUP BY username) c
    WHERE u.username = c.username
    """
)


def status_of(number: int) -> TaskStatus:
    if number % 4 == 0:
        return TaskStatus.DONE
    if number % 5 == 1:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.PENDING


async def add_people(engine: AsyncEngine, people: Sequence[int], tasks_each: int) -> None:
    """Register `people` (as the bot would have) with `tasks_each` tasks apiece."""
    if not people:
        return
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await _add_people_postgres(connection, people, tasks_each)
        else:
            await _add_people_sqlite(connection, people, tasks_each)


async def _add_people_postgres(
    connection: AsyncConnection, people: Sequence[int], tasks_each: int
) -> None:
    params = {"ids": list(people), "tasks": tasks_each}
    await connection.execute(_PG_USERS, params)
    if tasks_each:
        # The counter triggers would update the person's row once per task, and row
        # versions of one transaction cannot be pruned: 100 000 tasks took longer than the
        # engine's 30 s statement timeout. So they rest during the load, and the counters
        # are set from the result after.
        await connection.execute(text("ALTER TABLE tasks DISABLE TRIGGER USER"))
        await connection.execute(_PG_TASKS, params)
        await connection.execute(text("ALTER TABLE tasks ENABLE TRIGGER USER"))
        if _KEEPS_COUNTERS:
            await connection.execute(_PG_RECOUNT, params)
    # Fresh statistics, as autovacuum would have them in a running bot, so the planner's
    # choices are the steady-state ones.
    await connection.execute(text("ANALYZE users, tasks"))


async def _add_people_sqlite(
    connection: AsyncConnection, people: Sequence[int], tasks_each: int
) -> None:
    # executemany through the ORM tables, so dates are stored exactly as the bot stores them.
    now = datetime.now(UTC)
    await connection.execute(
        insert(User),
        [
            {
                "username": username_of(person),
                "telegram_id": person,
                "language": "en",
                "last_task_number": tasks_each,
                "created_at": now,
                "updated_at": now,
            }
            for person in people
        ],
    )
    rows: list[dict[str, Any]] = []
    for person in people:
        for number in range(1, tasks_each + 1):
            status = status_of(number)
            rows.append(
                {
                    "username": username_of(person),
                    "number": number,
                    "title": f"Task number {number}",
                    "description": None,
                    "status": status,
                    "created_at": now,
                    "updated_at": now,
                    "done_at": now if status is TaskStatus.DONE else None,
                    "chat_id": person,
                    "message_id": number,
                }
            )
    if rows:
        await connection.execute(insert(Task), rows)
