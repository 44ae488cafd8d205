"""One replica per database when there is no Redis to share state through.

A replica cannot count its peers, but the database they share can tell it whether another
holds a lock: on PostgreSQL a session advisory lock on a connection kept open for the
process's lifetime, on SQLite an exclusive file lock next to the database file. The
operating system and the server drop either with the process, however it ends, so a
crashed replica never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Any fixed number that is not MIGRATION_LOCK_ID; the same for every instance of this bot.
REPLICA_LOCK_ID = 0x70D0B08


class ReplicaLockTaken(Exception):
    """Another replica serves this database already."""


class ReplicaLock:
    def __init__(
        self, connection: AsyncConnection | None = None, descriptor: int | None = None
    ) -> None:
        self._connection = connection
        self._descriptor = descriptor

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing the session drops it anyway
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": REPLICA_LOCK_ID}
                )
            await self._connection.close()
            self._connection = None
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing it releases the lock
            self._descriptor = None


async def hold_replica_lock(engine: AsyncEngine) -> ReplicaLock:
    """The lock for this process's lifetime; ReplicaLockTaken if another process holds it.
    On PostgreSQL it keeps one of the engine's connections until released."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return ReplicaLock()  # nobody else can open this database
        return ReplicaLock(descriptor=_lock_file(Path(f"{url.database}.replica-lock")))
    connection = await engine.connect()
    try:
        taken = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:id)"), {"id": REPLICA_LOCK_ID}
        )
        # Outside any transaction from here on: the lock belongs to the session.
        await connection.commit()
    except BaseException:
        await connection.close()
        raise
    if not taken:
        await connection.close()
        raise ReplicaLockTaken()
    return ReplicaLock(connection=connection)


def _lock_file(path: Path) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise ReplicaLockTaken() from None
    return descriptor
