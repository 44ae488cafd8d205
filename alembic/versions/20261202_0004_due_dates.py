"""due dates, reminders and recurrence on tasks; a time zone per person

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:00:00+00:00

Only new columns and an index: SQLite adds them in place (no table rebuild, so the counter
triggers stay). Their defaults are plain literals for that reason: Alembic rebuilds a SQLite
table for a column whose default is an expression; '0' reads as false on both backends.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch.add_column(
            sa.Column("timezone_chosen", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("due_at", _MOMENT, nullable=True))
        batch.add_column(
            sa.Column("due_has_time", sa.Boolean(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("remind_at", _MOMENT, nullable=True))
        batch.add_column(sa.Column("recurrence", sa.Text(), nullable=True))
    op.create_index(
        "ix_tasks_username_status_due_at",
        "tasks",
        ["username", "status", "due_at", "number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_username_status_due_at", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("recurrence")
        batch.drop_column("remind_at")
        batch.drop_column("due_has_time")
        batch.drop_column("due_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("timezone_chosen")
        batch.drop_column("timezone")
