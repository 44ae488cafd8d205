"""People: their row keyed by username, found by Telegram id (see DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, String, bindparam, cast, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import User
from bot.schemas import Person, UserRead

_BY_ID = User.telegram_id == bindparam("tg_id")

_GET = select(
    User.username,
    User.telegram_id,
    User.language,
    User.timezone,
    User.timezone_chosen,
    User.digest_minute,
    User.quiet_from,
    User.quiet_to,
).where(_BY_ID)

_SET_DIGEST = (
    update(User)
    .where(_BY_ID)
    .values(digest_minute=bindparam("minute"), digest_at=bindparam("next_at"))
)
_SET_QUIET = (
    update(User).where(_BY_ID).values(quiet_from=bindparam("q_from"), quiet_to=bindparam("q_to"))
)
# Digests work like reminders: claimed under a lease (see TaskRepository's claim).
_CLAIMABLE_DIGESTS = (
    select(User.username)
    .where(User.digest_at <= bindparam("now"), User.digest_minute.is_not(None))
    .order_by(User.digest_at)
    .limit(bindparam("most", type_=Integer))
    .with_for_update(skip_locked=True)
)
_CLAIM_DIGESTS = (
    update(User)
    .where(User.username.in_(_CLAIMABLE_DIGESTS.scalar_subquery()))
    .values(digest_at=bindparam("lease"))
    .returning(
        User.username,
        User.telegram_id,
        User.language,
        User.timezone,
        User.digest_minute,
        User.quiet_from,
        User.quiet_to,
    )
)
_DIGEST_DONE = (
    update(User)
    .where(User.telegram_id == bindparam("tg_id"), User.digest_at == bindparam("lease"))
    .values(digest_at=bindparam("next_at"))
)
# People with a digest time and no digest scheduled yet (new since the column came).
_UNSCHEDULED = (
    select(User.telegram_id, User.timezone, User.digest_minute)
    .where(User.digest_minute.is_not(None), User.digest_at.is_(None))
    .limit(bindparam("most", type_=Integer))
)
_SCHEDULE = update(User).where(_BY_ID).values(digest_at=bindparam("next_at"))
# Someone who blocked the bot: no digest either (until they set one again).
_NO_DIGEST = update(User).where(_BY_ID).values(digest_at=None, digest_minute=None)
_QUIET_OF = select(User.username, User.quiet_from, User.quiet_to).where(
    User.username.in_(bindparam("keys", expanding=True))
)

_STATE = select(
    User.username, User.last_task_number, (User.open_count + User.done_count).label("tasks")
).where(_BY_ID)
# The same, holding the person's row until the transaction ends: numbers handed out and the
# cap checked under it can't race another add or import (SQLite: one writer anyway).
_STATE_LOCKED = _STATE.with_for_update()
_SET_LAST_NUMBER = (
    update(User)
    .where(_BY_ID)
    .values(last_task_number=bindparam("last"), updated_at=bindparam("at"))
)

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


class DigestSetting(NamedTuple):
    telegram_id: int
    timezone: str
    digest_minute: int


class ClaimedDigest(NamedTuple):
    username: str
    telegram_id: int
    language: str | None
    timezone: str
    digest_minute: int
    quiet_from: int | None
    quiet_to: int | None
    lease: datetime  # this worker's until then


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

    async def lock(self, telegram_id: int) -> PersonState | None:
        """The person's state, their row locked until the transaction ends."""
        row = (await self._connection.execute(_STATE_LOCKED, {"tg_id": telegram_id})).first()
        return None if row is None else PersonState(*row)

    async def set_last_number(self, telegram_id: int, last: int, at: datetime) -> None:
        """Numbers up to `last` are handed out (under `lock`)."""
        params = {"tg_id": telegram_id, "last": last, "at": at}
        await self._connection.execute(_SET_LAST_NUMBER, params)

    async def set_timezone(self, telegram_id: int, zone: str, at: datetime) -> bool:
        result = await self._connection.execute(
            _SET_TIMEZONE, {"tg_id": telegram_id, "zone": zone, "at": at}
        )
        return bool(result.rowcount)

    async def set_digest(
        self, telegram_id: int, minute: int | None, next_at: datetime | None
    ) -> None:
        params = {"tg_id": telegram_id, "minute": minute, "next_at": next_at}
        await self._connection.execute(_SET_DIGEST, params)

    async def set_quiet(self, telegram_id: int, start: int | None, end: int | None) -> None:
        params = {"tg_id": telegram_id, "q_from": start, "q_to": end}
        await self._connection.execute(_SET_QUIET, params)

    async def claim_digests(self, now: datetime, lease: datetime, most: int) -> list[ClaimedDigest]:
        params = {"now": now, "lease": lease, "most": most}
        rows = (await self._connection.execute(_CLAIM_DIGESTS, params)).all()
        return [
            ClaimedDigest(row[0], row[1], row[2], row[3], row[4] or 0, row[5], row[6], lease)
            for row in rows
        ]

    async def digest_done(self, telegram_id: int, lease: datetime, next_at: datetime) -> None:
        params = {"tg_id": telegram_id, "lease": lease, "next_at": next_at}
        await self._connection.execute(_DIGEST_DONE, params)

    async def unscheduled_digests(self, most: int) -> list[DigestSetting]:
        rows = (await self._connection.execute(_UNSCHEDULED, {"most": most})).all()
        # digest_minute is not None there (the statement's condition).
        return [DigestSetting(row[0], row[1], row[2] or 0) for row in rows]

    async def schedule_digest(self, telegram_id: int, next_at: datetime) -> None:
        await self._connection.execute(_SCHEDULE, {"tg_id": telegram_id, "next_at": next_at})

    async def stop_digest(self, telegram_id: int) -> None:
        await self._connection.execute(_NO_DIGEST, {"tg_id": telegram_id})

    async def quiet_hours(self, keys: list[str]) -> dict[str, tuple[int | None, int | None]]:
        rows = (await self._connection.execute(_QUIET_OF, {"keys": keys})).all()
        return {row[0]: (row[1], row[2]) for row in rows}

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
