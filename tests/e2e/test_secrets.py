"""No secret reaches the log, whatever a broken Bot API or proxy answers.

aiohttp's error for a malformed response quotes the request URL, `/bot<token>/<method>`,
and aiogram passes it on: into the polling loop's "Failed to fetch updates", into our error
handler's traceback, and into a crash at start. A tiny HTTP server here answers some
methods with a broken Content-Length to provoke each of them.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from tests.e2e.conftest import START_TIMEOUT
from tests.e2e.process import BotProcess

TOKEN = "424242:SECRET-token-that-must-never-be-logged"
PASSWORD = "hunter2-db-secret"
_ME = {"id": 424242, "is_bot": True, "first_name": "Todo", "username": "todo_bot"}
_UPDATE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 7, "type": "private"},
        "from": {"id": 7, "is_bot": False, "first_name": "Ann"},
        "text": "/help",
    },
}


class BrokenBotApi:
    """Answers getMe and the start-up calls well, hands out one update, and answers
    everything else (sendMessage, later getUpdates) with a broken Content-Length."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> BrokenBotApi:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _answer(self, method: str) -> dict[str, object] | None:
        if method == "getMe":
            return {"ok": True, "result": _ME}
        if method in {
            "setMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "deleteWebhook",
        }:
            return {"ok": True, "result": True}
        if method == "getUpdates" and self.calls.count("getUpdates") == 1:
            return {"ok": True, "result": [_UPDATE]}
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in lines
                    if line.lower().startswith("content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            method = lines[0].split()[1].rsplit("/", 1)[-1]
            self.calls.append(method)
            answer = self._answer(method)
            if answer is None:
                response = b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n{}"
            else:
                body = json.dumps(answer).encode()
                response = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
            writer.write(response)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_the_token_never_reaches_the_log(tmp_path: Path) -> None:
    async with BrokenBotApi() as api:
        process = BotProcess(
            {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": api.base_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.sqlite3'}",
                "LOG_LEVEL": "DEBUG",
                "TELEGRAM_RETRIES": "0",
                "POLLING_TIMEOUT": "1",
            },
            tmp_path,
        )
        await process.start()
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not ("Failed to fetch updates" in process.log() and "sendMessage" in api.calls):
                assert process.running, process.log()
                assert time.monotonic() < deadline, process.log()
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)  # the error handler's log line follows the send
        finally:
            await process.kill()
    log = process.log()
    assert "update 1 failed" in log  # the error handler's traceback is there ...
    assert "Traceback" in log
    assert "/bot<redacted>/getUpdates" in log  # ... and the polling loop's error
    assert "/bot<redacted>/sendMessage" in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


async def test_a_crash_at_start_shows_no_password(tmp_path: Path) -> None:
    process = BotProcess(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"postgresql://todo:{PASSWORD}@127.0.0.1:9/todo",
            "LOG_LEVEL": "DEBUG",
            "TELEGRAM_API_URL": f"http://bot:{PASSWORD}@127.0.0.1:9",
        },
        tmp_path,
    )
    await process.start()
    assert process.process is not None
    async with asyncio.timeout(START_TIMEOUT):
        code = await process.process.wait()
    log = process.log()
    assert code == 1, log
    assert "cannot start: DATABASE_URL" in log
    assert "Traceback" in log
    assert PASSWORD not in log
    assert TOKEN not in log
