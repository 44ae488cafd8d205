"""a message may make several tasks, one per line: tasks.part

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:40:00+00:00

The source key becomes (chat_id, message_id, part). On SQLite, changing a unique constraint
rebuilds the table, and dropping the old table drops its triggers: the counter triggers of
0002 are made again (the same statements).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER tasks_counters_insert AFTER INSERT ON tasks BEGIN
        UPDATE users SET open_count = open_count + (NEW.status <> 'done'),
                         done_count = done_count + (NEW.status = 'done')
        WHERE username = NEW.username;
    END""",
    """CREATE TRIGGER tasks_counters_delete AFTER DELETE ON tasks BEGIN
        UPDATE users SET open_count = open_count - (OLD.status <> 'done'),
                         done_count = done_count - (OLD.status = 'done')
        WHERE username = OLD.username;
    END""",
    """CREATE TRIGGER tasks_counters_status AFTER UPDATE OF status ON tasks
    WHEN OLD.status <> NEW.status BEGIN
        UPDATE users SET open_count = open_count - (OLD.status <> 'done') + (NEW.status <> 'done'),
                         done_count = done_count - (OLD.status = 'done') + (NEW.status = 'done')
        WHERE username = NEW.username;
    END""",
)
_SQLITE_TRIGGER_NAMES = ("tasks_counters_status", "tasks_counters_delete", "tasks_counters_insert")


def _rebuild(change: str) -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:  # batch mode drops and recreates the table; keep the triggers' names free
        for name in _SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("tasks") as batch:
        if change == "up":
            batch.add_column(
                sa.Column("part", sa.SmallInteger(), server_default="0", nullable=False)
            )
            batch.drop_constraint("uq_tasks_chat_id_message_id", type_="unique")
            batch.create_unique_constraint(
                "uq_tasks_chat_id_message_id_part", ["chat_id", "message_id", "part"]
            )
        else:
            batch.drop_constraint("uq_tasks_chat_id_message_id_part", type_="unique")
            batch.create_unique_constraint("uq_tasks_chat_id_message_id", ["chat_id", "message_id"])
            batch.drop_column("part")
    if sqlite:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    _rebuild("up")


def downgrade() -> None:
    # The older schema keeps one task per message: later parts keep their text under a
    # source that no real message has (a negative id), so nothing is lost.
    op.execute("UPDATE tasks SET message_id = -id WHERE part > 0")
    _rebuild("down")
