"""full-text search over titles and descriptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00+00:00

PostgreSQL: `tasks.search_vector`, a stored generated tsvector of the title (weight A) and
the description (weight B) in the `russian` configuration, and of the owner's key, with a
GIN index. That one
configuration reads both languages: it stems Cyrillic words with the Russian Snowball
stemmer (which also folds ё into е) and ASCII words with `english_stem`, English stop words
included, so a second `english` vector would only repeat the same lexemes.

SQLite: `tasks_search`, a contentless FTS5 table (`unicode61 remove_diacritics 2`), kept by
triggers with the same rowid as the task. It is contentless rather than external-content
because what it indexes is not the stored text: ё is folded into е first (unicode61 folds
case in Cyrillic but leaves ё alone), and the search never reads text back from the index.
A contentless table forgets a row only when told its indexed values, so the triggers
repeat the very expression they inserted.

Neither can be declared in the models for both backends: alembic/env.py leaves them out of
the comparison. On SQLite, a later migration that rebuilds `tasks` (batch mode copies and
drops the table) drops these triggers with it and must make them again, as 0003 does for
the counter triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The owner's key as one more lexeme, '@alice' (no word's lexeme begins with '@'): a search
# asks the GIN index for the words and the owner at once, so it reads only the person's
# matches, however many tasks they and everyone else keep. A rename recomputes it.
_POSTGRES_VECTOR = (
    "setweight(to_tsvector('russian'::regconfig, title), 'A') || "
    "setweight(to_tsvector('russian'::regconfig, coalesce(description, '')), 'B') || "
    "array_to_tsvector(ARRAY['@' || username])"
)


def _folded(value: str) -> str:
    """ё read as е, in SQLite's SQL."""
    return f"replace(replace({value}, 'Ё', 'Е'), 'ё', 'е')"


def _sqlite_row(row: str) -> str:
    return f"{row}.id, {_folded(row + '.title')}, {_folded(row + '.description')}"


_SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE tasks_search USING fts5("
    "title, description, content='', tokenize='unicode61 remove_diacritics 2')"
)
_SQLITE_FORGET = (
    "INSERT INTO tasks_search (tasks_search, rowid, title, description) "
    f"VALUES ('delete', {_sqlite_row('OLD')});"
)
_SQLITE_INDEX = (
    f"INSERT INTO tasks_search (rowid, title, description) VALUES ({_sqlite_row('NEW')});"
)
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN {_SQLITE_INDEX} END",
    f"CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN {_SQLITE_FORGET} END",
    "CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description ON tasks "
    "WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description "
    f"BEGIN {_SQLITE_FORGET} {_SQLITE_INDEX} END",
)
_SQLITE_TRIGGER_NAMES = ("tasks_search_update", "tasks_search_delete", "tasks_search_insert")
_SQLITE_BACKFILL = (
    f"INSERT INTO tasks_search (rowid, title, description) SELECT {_sqlite_row('tasks')} FROM tasks"
)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.add_column(
            "tasks",
            sa.Column(
                "search_vector",
                postgresql.TSVECTOR(),
                sa.Computed(_POSTGRES_VECTOR, persisted=True),
                nullable=True,
            ),
        )
        op.create_index("ix_tasks_search", "tasks", ["search_vector"], postgresql_using="gin")
        return
    op.execute(_SQLITE_TABLE)
    op.execute(_SQLITE_BACKFILL)
    for statement in _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_tasks_search", table_name="tasks")
        op.drop_column("tasks", "search_vector")
        return
    for name in _SQLITE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE tasks_search")
