"""the daily digest, quiet hours and nagging

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:30:00+00:00

New columns with literal defaults only (SQLite adds them in place), and the digest's index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCHEDULED = sa.text("digest_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("digest_minute", sa.SmallInteger(), server_default="540", nullable=True)
        )
        batch.add_column(sa.Column("digest_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("quiet_from", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("quiet_to", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("nag_minutes", sa.SmallInteger(), nullable=True))
    op.create_index(
        "ix_users_digest_at",
        "users",
        ["digest_at"],
        unique=False,
        postgresql_where=_SCHEDULED,
        sqlite_where=_SCHEDULED,
    )


def downgrade() -> None:
    op.drop_index("ix_users_digest_at", table_name="users")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("nag_minutes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("quiet_to")
        batch.drop_column("quiet_from")
        batch.drop_column("digest_at")
        batch.drop_column("digest_minute")
