"""per-person task counters kept by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:05:00+00:00

`users.open_count` and `users.done_count` let a list show its totals, and the per-person
cap be checked, in constant time however long a person's history is. Triggers keep them
exact whatever statement changes `tasks`. A rename cascades into `tasks.username` without
touching `status`, so it leaves the counters alone (the row carries them along).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_FUNCTION = """
CREATE FUNCTION tasks_keep_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users
        SET open_count = open_count - (OLD.status <> 'done')::int,
            done_count = done_count - (OLD.status = 'done')::int
        WHERE username = OLD.username;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE users
        SET open_count = open_count + (NEW.status <> 'done')::int,
            done_count = done_count + (NEW.status = 'done')::int
        WHERE username = NEW.username;
    END IF;
    RETURN NULL;
END
$$
"""
_POSTGRES_TRIGGERS = (
    "CREATE TRIGGER tasks_counters_insert_delete AFTER INSERT OR DELETE ON tasks "
    "FOR EACH ROW EXECUTE FUNCTION tasks_keep_counters()",
    "CREATE TRIGGER tasks_counters_status AFTER UPDATE OF status ON tasks "
    "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION tasks_keep_counters()",
)
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
_BACKFILL = """
UPDATE users SET
    open_count = (SELECT count(*) FROM tasks
                  WHERE tasks.username = users.username AND tasks.status <> 'done'),
    done_count = (SELECT count(*) FROM tasks
                  WHERE tasks.username = users.username AND tasks.status = 'done')
"""


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("open_count", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("done_count", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.execute(_BACKFILL)
    if op.get_context().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for statement in _POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_counters_status ON tasks")
        op.execute("DROP TRIGGER tasks_counters_insert_delete ON tasks")
        op.execute("DROP FUNCTION tasks_keep_counters()")
    else:
        for name in ("tasks_counters_status", "tasks_counters_delete", "tasks_counters_insert"):
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("done_count")
        batch.drop_column("open_count")
