"""Tags: a person's tag names and their links to tasks, each statement scoped by its owner.

`tasks.tags` (the names a list shows) and the `task_tags` links are written together here,
in the caller's unit of work, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Tag, Task, TaskTag
from bot.db.repositories.tasks import OPEN, OWNED_TASK, OWNER_KEY, TASK_COLUMNS, to_task
from bot.schemas import TagRead, TaskRead, TaskStatus

_TASK_ID = select(Task.id).where(OWNED_TASK)

# Both backends know ON CONFLICT, each through its own dialect's insert().
_TAG_VALUES = {"username": OWNER_KEY, "name": bindparam("tag_name")}
_NEW_TAG = {
    "postgresql": postgresql.insert(Tag).values(_TAG_VALUES).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(Tag).values(_TAG_VALUES).on_conflict_do_nothing(),
}
# `task_id` was just read through the owner's key (tag_task).
_UNLINK = delete(TaskTag).where(TaskTag.task_id == bindparam("task_id"))
_LINK = insert(TaskTag).from_select(
    ["task_id", "tag_id"],
    select(bindparam("task_id", type_=TaskTag.task_id.type), Tag.id).where(
        Tag.username == OWNER_KEY, Tag.name.in_(bindparam("tag_names", expanding=True))
    ),
)
_SHOW = (
    update(Task)
    .where(OWNED_TASK)
    .values(tags=bindparam("tag_text"), updated_at=bindparam("at"))
    .returning(*TASK_COLUMNS)
)
# A tag no task carries any more goes, so /tags and the filter never offer an empty one.
_DROP_UNUSED = delete(Tag).where(
    Tag.username == OWNER_KEY, ~exists().where(TaskTag.tag_id == Tag.id)
)

# Link one task (by number) to one tag (by name), both the owner's: many at once (import).
_LINK_NUMBERED = insert(TaskTag).from_select(
    ["task_id", "tag_id"],
    select(Task.id, Tag.id)
    .join_from(Task, Tag, Tag.username == Task.username)
    .where(
        Task.username == OWNER_KEY,
        Task.number == bindparam("num"),
        Tag.name == bindparam("tag_name"),
    ),
)

_COUNTS = (
    select(
        Tag.id,
        Tag.name,
        func.count(case((OPEN, 1))).label("open_count"),
        func.count(case((Task.status == TaskStatus.DONE, 1))).label("done_count"),
    )
    .join(TaskTag, TaskTag.tag_id == Tag.id)
    .join(Task, Task.id == TaskTag.task_id)
    .where(Tag.username == OWNER_KEY, Task.username == OWNER_KEY)
    .group_by(Tag.id, Tag.name)
    .order_by(Tag.name)
)
_BY_NAME = select(Tag.id, Tag.name).where(
    Tag.username == OWNER_KEY, Tag.name == bindparam("tag_name")
)
_BY_ID = select(Tag.id, Tag.name).where(Tag.username == OWNER_KEY, Tag.id == bindparam("tag_id"))


def _tag(row: Mapping[Any, Any]) -> TagRead:
    return TagRead(
        id=row["id"],
        name=row["name"],
        open_count=row.get("open_count", 0),
        done_count=row.get("done_count", 0),
    )


class TagRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def tag_task(
        self, owner: int, number: int, names: Sequence[str], at: datetime
    ) -> TaskRead | None:
        """Give the task exactly these tags (normalized names); None when it is not theirs."""
        params = {"tg_id": owner, "num": number}
        task_id = (await self._connection.execute(_TASK_ID, params)).scalar()
        if task_id is None:
            return None
        if names:
            insert_tag = _NEW_TAG[self._connection.dialect.name]
            await self._connection.execute(
                insert_tag, [{"tg_id": owner, "tag_name": name} for name in names]
            )
        await self._connection.execute(_UNLINK, {"task_id": task_id})
        if names:
            linked = {**params, "task_id": task_id, "tag_names": list(names)}
            await self._connection.execute(_LINK, linked)
        shown = {**params, "tag_text": " ".join(sorted(names)) or None, "at": at}
        row = (await self._connection.execute(_SHOW, shown)).mappings().first()
        await self._connection.execute(_DROP_UNUSED, params)
        return to_task(row) if row is not None else None

    async def tag_numbers(self, owner: int, tags: Sequence[tuple[int, str]]) -> None:
        """Link new tasks to their tags, (number, name) pairs: each statement executed
        for all the pairs at once. The tasks show the names already (their `tags`)."""
        if not tags:
            return
        names = sorted({name for _, name in tags})
        insert_tag = _NEW_TAG[self._connection.dialect.name]
        await self._connection.execute(
            insert_tag, [{"tg_id": owner, "tag_name": name} for name in names]
        )
        await self._connection.execute(
            _LINK_NUMBERED,
            [{"tg_id": owner, "num": number, "tag_name": name} for number, name in tags],
        )

    async def counts(self, owner: int) -> list[TagRead]:
        """The person's tags by name, with how many open and done tasks carry each."""
        rows = await self._connection.execute(_COUNTS, {"tg_id": owner})
        return [_tag(row) for row in rows.mappings()]

    async def find(
        self, owner: int, *, name: str | None = None, tag_id: int | None = None
    ) -> TagRead | None:
        """One of the person's tags, by name or by id; None when they have no such tag."""
        if name is not None:
            result = await self._connection.execute(_BY_NAME, {"tg_id": owner, "tag_name": name})
        else:
            result = await self._connection.execute(_BY_ID, {"tg_id": owner, "tag_id": tag_id})
        row = result.mappings().first()
        return _tag(row) if row is not None else None
