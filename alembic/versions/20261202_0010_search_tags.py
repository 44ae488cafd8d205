"""search reads tags too

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:20:00+00:00

`/find work` finds a task tagged #work: the tag names (`tasks.tags`) join the description's
weight in PostgreSQL's generated vector, and the description's column in SQLite's FTS5
table. PostgreSQL 15 can't change a generated column's expression, so the column and its
index are made again; SQLite's contentless table is made again and filled, and its
triggers repeat the new expression (see 0009).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgres_vector(*, tags: bool) -> str:
    text = (
        "coalesce(description, '') || ' ' || coalesce(tags, '')"
        if tags
        else ("coalesce(description, '')")
    )
    return (
        "setweight(to_tsvector('russian'::regconfig, title), 'A') || "
        f"setweight(to_tsvector('russian'::regconfig, {text}), 'B') || "
        "array_to_tsvector(ARRAY['@' || username])"
    )


def _folded(value: str) -> str:
    """ё read as е, in SQLite's SQL."""
    return f"replace(replace({value}, 'Ё', 'Е'), 'ё', 'е')"


def _sqlite_row(row: str, *, tags: bool) -> str:
    rest = f"coalesce({row}.description, '') || ' ' || coalesce({row}.tags, '')"
    return f"{row}.id, {_folded(row + '.title')}, {_folded(rest if tags else row + '.description')}"


def _sqlite_statements(*, tags: bool) -> tuple[str, ...]:
    forget = (
        "INSERT INTO tasks_search (tasks_search, rowid, title, description) "
        f"VALUES ('delete', {_sqlite_row('OLD', tags=tags)});"
    )
    index = (
        "INSERT INTO tasks_search (rowid, title, description) "
        f"VALUES ({_sqlite_row('NEW', tags=tags)});"
    )
    columns = "title, description, tags" if tags else "title, description"
    changed = "OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description"
    if tags:
        changed += " OR OLD.tags IS NOT NEW.tags"
    return (
        "CREATE VIRTUAL TABLE tasks_search USING fts5("
        "title, description, content='', tokenize='unicode61 remove_diacritics 2')",
        "INSERT INTO tasks_search (rowid, title, description) "
        f"SELECT {_sqlite_row('tasks', tags=tags)} FROM tasks",
        f"CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN {index} END",
        f"CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN {forget} END",
        f"CREATE TRIGGER tasks_search_update AFTER UPDATE OF {columns} ON tasks "
        f"WHEN {changed} BEGIN {forget} {index} END",
    )


def _remake(*, tags: bool) -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_tasks_search", table_name="tasks")
        op.drop_column("tasks", "search_vector")
        op.add_column(
            "tasks",
            sa.Column(
                "search_vector",
                postgresql.TSVECTOR(),
                sa.Computed(_postgres_vector(tags=tags), persisted=True),
                nullable=True,
            ),
        )
        op.create_index("ix_tasks_search", "tasks", ["search_vector"], postgresql_using="gin")
        return
    for name in ("tasks_search_update", "tasks_search_delete", "tasks_search_insert"):
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE tasks_search")
    for statement in _sqlite_statements(tags=tags):
        op.execute(statement)


def upgrade() -> None:
    _remake(tags=True)


def downgrade() -> None:
    _remake(tags=False)
