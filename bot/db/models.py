"""ORM models. The username (lower case, or `#<telegram_id>`) is the key tasks reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow
from bot.schemas import LANGUAGE_MAX_LENGTH, TAG_MAX_LENGTH, TaskStatus

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")
USERNAME_KEY_LENGTH = 64
DEFAULT_DIGEST_MINUTE = 9 * 60
# A task with no priority sorts after low (3); the list index holds this expression, and
# the list queries order by the very same one so both backends read it in index order.
PRIORITY_RANK: ColumnElement[int] = func.coalesce(literal_column("priority"), literal_column("4"))


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # The worker's digest scan: only people with a digest scheduled are in it.
        Index(
            "ix_users_digest_at",
            "digest_at",
            postgresql_where=text("digest_at IS NOT NULL"),
            sqlite_where=text("digest_at IS NOT NULL"),
        ),
    )

    username: Mapped[str] = mapped_column(String(USERNAME_KEY_LENGTH), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX_LENGTH))
    # The last per-user task number handed out; bumping it row-locks the person, so
    # concurrent adds queue up instead of colliding, and a deleted number is never reused.
    last_task_number: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Kept by database triggers on `tasks` (migration 0002), so a list shows its totals and
    # the per-person cap is checked without counting a long history.
    open_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    done_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # An IANA zone name; every date the person types or sees is in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # False until the person chose a zone (/tz): answers with a date say which one was assumed.
    timezone_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The daily digest: minutes after local midnight (None: off), and the next UTC moment it
    # is due (kept by the worker; None: not scheduled yet).
    digest_minute: Mapped[int | None] = mapped_column(
        SmallInteger, default=DEFAULT_DIGEST_MINUTE, server_default=str(DEFAULT_DIGEST_MINUTE)
    )
    digest_at: Mapped[datetime | None]
    # Quiet hours, minutes after local midnight (None: none); may wrap past midnight.
    quiet_from: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_to: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("username", "number"),
        # A message makes at most one task per line it was split into (`part`).
        UniqueConstraint("chat_id", "message_id", "part"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done_at_matches_status"),
        # Matches the list queries: one person's tasks by status, in number order ...
        Index("ix_tasks_username_status_number", "username", "status", "number"),
        # ... and by due date, then priority (lists, /today, /upcoming) ...
        Index("ix_tasks_list_order", "username", "status", "due_at", PRIORITY_RANK, "number"),
        # ... and the undated by priority: PostgreSQL orders by an index's next columns
        # after an equality, but not after `due_at IS NULL`, hence an index of their own.
        Index(
            "ix_tasks_undated_order",
            "username",
            "status",
            PRIORITY_RANK,
            "number",
            postgresql_where=text("due_at IS NULL"),
            sqlite_where=text("due_at IS NULL"),
        ),
        # The reminder worker's scan: only tasks with a reminder pending are in it.
        Index(
            "ix_tasks_remind_at",
            "remind_at",
            postgresql_where=text("remind_at IS NOT NULL"),
            sqlite_where=text("remind_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(USERNAME_KEY_LENGTH),
        ForeignKey("users.username", onupdate="CASCADE", ondelete="CASCADE"),
    )
    number: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        Enum(
            TaskStatus,
            name="status",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=TaskStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None]
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None]
    # False: `due_at` is a local day's 00:00 and the task is due that day, at no particular time.
    due_has_time: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The next moment a reminder is due to be sent; None: none pending.
    remind_at: Mapped[datetime | None]
    # An RFC 5545 RRULE body, evaluated in the person's zone from the local due time.
    recurrence: Mapped[str | None] = mapped_column(Text)
    # Nagging: after a reminder, remind again every this many minutes until done or snoozed.
    nag_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    # 1 (high) to 3 (low); None: none.
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    # The task's tag names, sorted and joined by spaces: what lists and cards show, read with
    # the task. `task_tags` links the same tags for filtering and counting; both are written
    # together (TagRepository.tag_task).
    tags: Mapped[str | None] = mapped_column(Text)
    # Which task of its message this is: 0, or the line's index when one message was split
    # into one task per line.
    part: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class Tag(Base):
    """A person's tag, stored lower case (`#Home` and `#home` are one tag)."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("username", "name"),)

    id: Mapped[int] = mapped_column(BigIntId, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(USERNAME_KEY_LENGTH),
        ForeignKey("users.username", onupdate="CASCADE", ondelete="CASCADE"),
    )
    name: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH))


class TaskTag(Base):
    """Which task carries which tag; deleting either side deletes the link."""

    __tablename__ = "task_tags"
    # The primary key serves "a task's tags"; this index serves "a tag's tasks" (/list #tag).
    __table_args__ = (Index("ix_task_tags_tag_id", "tag_id", "task_id"),)

    task_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
