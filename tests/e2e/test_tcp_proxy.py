"""The TCP proxy the reliability tests use to cut the bot off from PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL
from tests.e2e.tcp_proxy import TcpProxy

# Generous for a local connection, far below asyncpg's 60 s connect timeout: a cut must
# make clients fail at once, not after a timeout.
FAST = 5.0


def _dsn_through(proxy: TcpProxy) -> str:
    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql", host="127.0.0.1")
    return url.set(port=proxy.port).render_as_string(hide_password=False)


def _target() -> tuple[str, int]:
    url = make_url(TEST_DATABASE_URL)
    return url.host or "127.0.0.1", url.port or 5432


async def _connect(proxy: TcpProxy) -> asyncpg.Connection:
    async with asyncio.timeout(FAST):
        return await asyncpg.connect(_dsn_through(proxy))


async def test_queries_pass_through() -> None:
    async with TcpProxy(*_target()) as proxy:
        assert proxy.port > 0
        connection = await _connect(proxy)
        try:
            async with asyncio.timeout(FAST):
                assert await connection.fetchval("SELECT 41 + 1") == 42
                # More than one read's worth of data, both ways.
                big = "x" * 300_000
                assert await connection.fetchval("SELECT length($1::text)", big) == len(big)
                assert len(await connection.fetchval("SELECT repeat('y', 500000)")) == 500_000
            assert proxy.open_connections == 1
            # A prepared query is one round trip: one chunk from the client.
            statement = await connection.prepare("SELECT 1")
            before = proxy.client_writes
            assert await statement.fetchval() == 1
            assert proxy.client_writes == before + 1
        finally:
            await connection.close()
        async with asyncio.timeout(FAST):
            while proxy.open_connections:
                await asyncio.sleep(0.01)
        assert proxy.accepted == 1


async def test_latency_slows_every_round_trip() -> None:
    async with TcpProxy(*_target()) as proxy:
        connection = await _connect(proxy)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert await connection.fetchval("SELECT 1") == 1
            assert loop.time() - started < 0.2
            proxy.latency = 0.1  # a round trip now takes 0.2 s at least
            started = loop.time()
            async with asyncio.timeout(FAST):
                assert await connection.fetchval("SELECT 2") == 2
            assert loop.time() - started >= 0.2
        finally:
            await connection.close()


async def test_cut_fails_open_and_new_connections_quickly_and_restore_heals() -> None:
    async with TcpProxy(*_target()) as proxy:
        connection = await _connect(proxy)
        try:
            assert await connection.fetchval("SELECT 1") == 1
            proxy.cut()
            assert proxy.is_cut
            async with asyncio.timeout(FAST):
                with pytest.raises((OSError, asyncpg.PostgresConnectionError)):
                    await connection.fetchval("SELECT 2")
                # Refused at once while cut (asyncpg would otherwise wait 60 s).
                with pytest.raises((OSError, asyncpg.PostgresConnectionError)):
                    await asyncpg.connect(_dsn_through(proxy))
            assert proxy.refused >= 1
            assert proxy.open_connections == 0
        finally:
            connection.terminate()

        proxy.restore()
        assert not proxy.is_cut
        healed = await _connect(proxy)
        try:
            assert await healed.fetchval("SELECT 3") == 3
        finally:
            await healed.close()


async def test_cut_during_a_long_query_and_stop_with_open_connections() -> None:
    proxy = TcpProxy(*_target())
    await proxy.start()
    connection = await _connect(proxy)
    try:
        query = asyncio.create_task(connection.fetchval("SELECT pg_sleep(5)"))
        await asyncio.sleep(0.2)
        proxy.cut()
        async with asyncio.timeout(FAST):
            with pytest.raises((OSError, asyncpg.PostgresConnectionError)):
                await query
        proxy.restore()
        second = await _connect(proxy)
        assert proxy.open_connections == 1
        async with asyncio.timeout(FAST):
            await proxy.stop()  # drops `second` too
        assert proxy.open_connections == 0
        with pytest.raises((OSError, asyncpg.PostgresConnectionError)):
            await second.fetchval("SELECT 1")
        second.terminate()
    finally:
        connection.terminate()
        await proxy.stop()
    with pytest.raises(RuntimeError):
        _ = proxy.port
