"""tags, and priority in the list order index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:40:00+00:00

`tags` holds a person's tags (lower case), `task_tags` links them to tasks, and
`tasks.tags` keeps the names for display. The list index
gains the priority rank after the due date, and the undated get an index by priority, so
/list sorts by priority within a due group and still reads in index order on both backends.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PRIORITY_RANK = sa.text("coalesce(priority, 4)")
_UNDATED = sa.text("due_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("tags", sa.Text(), nullable=True))
    op.create_table(
        "tags",
        sa.Column("id", _ID, sa.Identity(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name="fk_tags_username_users",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("username", "name", name="uq_tags_username_name"),
    )
    op.create_table(
        "task_tags",
        sa.Column("task_id", _ID, nullable=False),
        sa.Column("tag_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_task_tags_task_id_tasks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name="fk_task_tags_tag_id_tags", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "tag_id", name="pk_task_tags"),
    )
    op.create_index("ix_task_tags_tag_id", "task_tags", ["tag_id", "task_id"])
    op.create_index(
        "ix_tasks_list_order",
        "tasks",
        ["username", "status", "due_at", _PRIORITY_RANK, "number"],
    )
    op.create_index(
        "ix_tasks_undated_order",
        "tasks",
        ["username", "status", _PRIORITY_RANK, "number"],
        postgresql_where=_UNDATED,
        sqlite_where=_UNDATED,
    )
    op.drop_index("ix_tasks_username_status_due_at", table_name="tasks")


def downgrade() -> None:
    op.create_index(
        "ix_tasks_username_status_due_at", "tasks", ["username", "status", "due_at", "number"]
    )
    op.drop_index("ix_tasks_undated_order", table_name="tasks")
    op.drop_index("ix_tasks_list_order", table_name="tasks")
    op.drop_index("ix_task_tags_tag_id", table_name="task_tags")
    op.drop_table("task_tags")
    op.drop_table("tags")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("tags")
