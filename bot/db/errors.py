"""Telling an unreachable database from a wrong query, for each driver we use."""

from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_CONNECTION_ERRORS = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # connect timeout
    PoolTimeout,  # every pooled connection busy or broken
    asyncpg.exceptions.PostgresConnectionError,  # includes "connection does not exist"
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.InterfaceError,  # connection closed under us
)
# SQLite is a file: these mean it can't be used right now, not that a query is wrong.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def is_connection_error(error: BaseException) -> bool:
    """The database is unreachable or dropped the connection (as opposed to a bad query)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _CONNECTION_ERRORS):
            return True
        if isinstance(seen, sqlite3.OperationalError):
            return any(marker in str(seen).lower() for marker in _SQLITE_UNAVAILABLE)
        seen = seen.__cause__ or seen.__context__
    return False
