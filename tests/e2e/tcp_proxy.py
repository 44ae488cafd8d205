"""A TCP proxy a test owns, to cut a process's connection to a server (PostgreSQL) and back.

Point the process at ``127.0.0.1:<proxy.port>`` instead of the server::

    async with TcpProxy("127.0.0.1", 5432) as proxy:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/db"
        ...
        proxy.cut()          # every open connection drops, new ones are closed at once
        ...
        proxy.restore()      # new connections reach the server again
        proxy.latency = 0.1  # from now on, data waits 100 ms in the proxy, either way

A cut aborts both sides of every connection (the client sees a reset, the server a
vanished client), as when a network path or the server goes away; while cut, the proxy still
accepts connections but closes them before a byte is exchanged, so clients fail fast instead
of waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Final

_CHUNK: Final = 64 * 1024


@dataclass(eq=False)
class _Link:
    """One client connection and its connection to the target."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    pipes: list[asyncio.Task[None]] = field(default_factory=list)
    aborted: bool = False

    def abort(self) -> None:
        self.aborted = True
        for writer in (self.client, self.upstream):
            if writer is not None:
                writer.transport.abort()
        for pipe in self.pipes:
            pipe.cancel()


class TcpProxy:
    """Forwards connections from ``127.0.0.1:port`` to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int, *, latency: float = 0.0) -> None:
        self.target_host = target_host
        self.target_port = target_port
        # Seconds each chunk of data waits before it is passed on, either way; may be changed
        # at any time (a slow network or a busy server).
        self.latency = latency
        self.accepted = 0  # connections forwarded to the target
        self.refused = 0  # connections closed at once (cut, or the target unreachable)
        # Chunks the clients sent: with a request-response protocol such as PostgreSQL's,
        # one per round trip (tests/service/test_round_trips.py counts them).
        self.client_writes = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._cut = False

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the proxy is not running")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def is_cut(self) -> bool:
        return self._cut

    @property
    def open_connections(self) -> int:
        return len(self._links)

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the proxy is already running")
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    def cut(self) -> None:
        """Drop every open connection and close new ones at once, until :meth:`restore`."""
        self._cut = True
        for link in list(self._links):
            link.abort()

    def restore(self) -> None:
        """Forward new connections again (connections dropped by the cut stay dropped)."""
        self._cut = False

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        links = list(self._links)
        for link in links:
            link.abort()
        pipes = [pipe for link in links for pipe in link.pipes]
        if pipes:
            await asyncio.gather(*pipes, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> TcpProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut or self._server is None:
            self.refused += 1
            writer.transport.abort()
            return
        link = _Link(writer)
        self._links.add(link)
        try:
            try:
                upstream_reader, upstream = await asyncio.open_connection(
                    self.target_host, self.target_port
                )
            except OSError:
                self.refused += 1
                return
            link.upstream = upstream
            if self._cut or link.aborted:  # cut while connecting
                self.refused += 1
                return
            self.accepted += 1
            link.pipes = [
                asyncio.create_task(self._pipe(reader, upstream, from_client=True)),
                asyncio.create_task(self._pipe(upstream_reader, writer, from_client=False)),
            ]
            # When one direction ends (EOF, reset, cut), the whole connection ends.
            await asyncio.wait(link.pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._links.discard(link)
            link.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, from_client: bool
    ) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(_CHUNK):
                if from_client:
                    self.client_writes += 1
                if self.latency > 0:
                    await asyncio.sleep(self.latency)
                writer.write(data)
                await writer.drain()
