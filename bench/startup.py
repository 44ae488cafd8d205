"""Time from starting `python -m bot` to its first getUpdates, against the fake Bot API
server from the end-to-end tests, next to the same for a bare aiogram bot (bare_bot.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

from bench import leftovers
from bench.databases import Database
from bench.results import StartupResult
from bot.config import Settings
from tests.e2e.fake_telegram import FakeTelegram

BARE_BOT = Path(__file__).with_name("bare_bot.py")
# A cold start imports aiogram, SQLAlchemy and more; on two busy cores that takes seconds.
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0


async def measure_startup(database: Database, *, repeats: int, workdir: Path) -> StartupResult:
    bot_s: list[float] = []
    bare_s: list[float] = []
    async with FakeTelegram() as server:
        env = _environment(server, database)
        # Alternate the two, so a burst of load on the machine hits both alike.
        for _ in range(repeats):
            bot_s.append(await _time_to_first_poll(server, ["-m", "bot"], env, workdir))
            bare_s.append(await _time_to_first_poll(server, [str(BARE_BOT)], env, workdir))
    return StartupResult(database.backend, bot_s, bare_s)


def _environment(server: FakeTelegram, database: Database) -> dict[str, str]:
    """Ours and nothing of a developer's bot settings (the working directory has no .env)."""
    settings = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in settings}
    env.update(
        BOT_TOKEN=server.token,
        TELEGRAM_API_URL=server.base_url,
        DATABASE_URL=database.url,
    )
    return env


async def _time_to_first_poll(
    server: FakeTelegram, args: list[str], env: dict[str, str], workdir: Path
) -> float:
    seen = len(server.calls("getUpdates"))
    log_path = workdir / "startup.log"
    with log_path.open("ab") as log:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=workdir, env=env, stdout=log, stderr=log
        )
    leftovers.children.add(process.pid)
    try:
        # Whichever comes first: the first getUpdates, or the process dying.
        polled = asyncio.ensure_future(
            server.wait_until(lambda: len(server.calls("getUpdates")) > seen)
        )
        exited = asyncio.ensure_future(process.wait())
        try:
            await asyncio.wait(
                {polled, exited}, timeout=_START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            polled.cancel()
            exited.cancel()
        if len(server.calls("getUpdates")) > seen:
            # The server stamps each request on arrival: no delay of ours is in the number.
            return server.calls("getUpdates")[seen].time - started
        raise RuntimeError(
            f"{' '.join(args)} did not poll within {_START_TIMEOUT:.0f} s "
            f"(exit code {process.returncode}):\n" + log_path.read_text(errors="replace")[-2000:]
        )
    finally:
        await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(_STOP_TIMEOUT):
            await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    leftovers.children.discard(process.pid)
