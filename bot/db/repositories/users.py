"""People: their row keyed by username, found by Telegram id (see DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, cast, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import User
from bot.schemas import Person, UserRead

_BY_ID = User.telegram_id == bindparam("tg_id")

_GET = select(
    User.username, User.telegram_id, User.language, User.timezone, User.timezone_chosen
).where(_BY_ID)

_STATE = select(
    User.username, User.last_task_number, (User.open_count + User.done_count).label("tasks")
).where(_BY_ID)

# Whoever still holds a username renamed away without writing since: they move to their
# fallback key. A `#id` key can only ever be its owner's.
_FREE_KEY = (
    update(User)
    .where(User.username == bindparam("key"), User.telegram_id != bindparam("tg_id"))
    .values(username=literal("#").concat(cast(User.telegram_id, String)))
)
_UPDATE = (
    update(User)
    .where(_BY_ID)
    .values(username=bindparam("key"), language=bindparam("lang"), updated_at=bindparam("at"))
)
_INSERT_VALUES: dict[str, Any] = {
    "username": bindparam("key"),
    "telegram_id": bindparam("tg_id"),
    "language": bindparam("lang"),
    "timezone": bindparam("zone"),
    "created_at": bindparam("at"),
    "updated_at": bindparam("at"),
}
# Both backends know ON CONFLICT, each through its own dialect's insert().
_INSERT = {
    "postgresql": postgresql.insert(User).values(_INSERT_VALUES).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(User).values(_INSERT_VALUES).on_conflict_do_nothing(),
}


_SET_TIMEZONE = (
    update(User)
    .where(_BY_ID)
    .values(timezone=bindparam("zone"), timezone_chosen=True, updated_at=bindparam("at"))
)


class PersonState(NamedTuple):
    """What adding a task needs to know about its owner."""

    username: str
    last_task_number: int
    tasks: int


class UserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, telegram_id: int) -> UserRead | None:
        row = (await self._connection.execute(_GET, {"tg_id": telegram_id})).mappings().first()
        return None if row is None else UserRead(**row)

    async def state(self, telegram_id: int) -> PersonState | None:
        row = (await self._connection.execute(_STATE, {"tg_id": telegram_id})).first()
        return None if row is None else PersonState(*row)

    async def set_timezone(self, telegram_id: int, zone: str, at: datetime) -> bool:
        result = await self._connection.execute(
            _SET_TIMEZONE, {"tg_id": telegram_id, "zone": zone, "at": at}
        )
        return bool(result.rowcount)

    async def sync(self, person: Person, at: datetime, default_zone: str = "UTC") -> None:
        """Make the person's row match Telegram's view of them.

        A rename moves the row; the foreign key's ON UPDATE CASCADE carries the tasks along.
        """
        params: dict[str, Any] = {
            "tg_id": person.telegram_id,
            "key": person.key,
            "lang": person.language,
            "at": at,
            "zone": default_zone,
        }
        row = await self.get(person.telegram_id)
        if row is not None and row.username == person.key and row.language == person.language:
            return
        if row is None or row.username != person.key:
            await self._connection.execute(_FREE_KEY, params)
        if row is None:
            await self._connection.execute(_INSERT[self._connection.dialect.name], params)
            # A concurrent first update from this person may have inserted first; the
            # update below makes the row right either way.
        await self._connection.execute(_UPDATE, params)
