"""the reminder worker's index: pending reminders by time

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:15:00+00:00

Partial, so its size follows the reminders pending, not the tasks kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("remind_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tasks_remind_at",
        "tasks",
        ["remind_at"],
        unique=False,
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_remind_at", table_name="tasks")
