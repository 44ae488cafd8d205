"""Time from starting `python -m bot` to its first getUpdates, against the fake Bot API server
of the end-to-end tests, next to a bare aiogram bot doing the same (BARE_BOT below).

Both start as the tests start the bot (tests/e2e/process.py): a child process in an empty
working directory (no `.env`), with BOT_TOKEN, TELEGRAM_API_URL and DATABASE_URL set and no
other bot setting from the caller's environment. They alternate, so a burst of load on the
machine hits both alike; each is stopped with SIGTERM.

The due-date parser's import (issue 13): `python -c "import bot.services.due"` against a bare
interpreter (`python -c pass`), alternating, median of each; and `-X importtime`'s cumulative
time of `bot.services.due` itself (the parser's modules and what they alone bring in).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import BenchmarkError, Database
from bot.config import Settings
from tests.e2e.fake_telegram import FakeTelegram

# The least an aiogram bot does before its first getUpdates: a Bot, a Dispatcher with one
# handler, long polling. No project code.
BARE_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

async def answer(message: Message) -> None:
    await message.answer("ok")

async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dispatcher = Dispatcher()
    dispatcher.message.register(answer)
    await dispatcher.start_polling(bot, handle_signals=True)

asyncio.run(main())
"""
PARSER_MODULE = "bot.services.due"
_START_TIMEOUT = 60.0  # a cold import of aiogram takes seconds on two busy cores
_STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class StartupResult:
    backend: str
    bot_s: tuple[float, ...]
    bare_s: tuple[float, ...]

    @property
    def bot_median(self) -> float:
        return statistics.median(self.bot_s)

    @property
    def bare_median(self) -> float:
        return statistics.median(self.bare_s)

    @property
    def ratio(self) -> float:
        return self.bot_median / self.bare_median


async def measure_startup(database: Database, *, repeats: int, workdir: Path) -> StartupResult:
    bot_s: list[float] = []
    bare_s: list[float] = []
    async with FakeTelegram() as server:
        env = _environment(server, database)
        for _ in range(repeats):
            bot_s.append(await _first_poll(server, ["-m", "bot"], env, workdir))
            bare_s.append(await _first_poll(server, ["-c", BARE_BOT], env, workdir))
    return StartupResult(database.backend, tuple(bot_s), tuple(bare_s))


@dataclass(frozen=True)
class ParserImport:
    bare_s: tuple[float, ...]  # `python -c pass`, spawn to exit
    import_s: tuple[float, ...]  # `python -c "import bot.services.due"`, spawn to exit
    own_ms: tuple[float, ...]  # -X importtime: the module's own cumulative time

    @property
    def cost_s(self) -> float:
        """What the import adds to a bare interpreter: the difference of the medians."""
        return statistics.median(self.import_s) - statistics.median(self.bare_s)

    @property
    def own_median_ms(self) -> float:
        return statistics.median(self.own_ms)


async def measure_parser_import(*, repeats: int, workdir: Path) -> ParserImport:
    """The parser's import, each way `repeats` times (interleaved), from an empty working
    directory, the caller's environment less the bot's settings."""
    env = _environment_without_settings()
    bare_s: list[float] = []
    import_s: list[float] = []
    own_ms: list[float] = []
    for _ in range(repeats):
        bare_s.append((await _run(["-c", "pass"], env, workdir))[0])
        import_s.append((await _run(["-c", f"import {PARSER_MODULE}"], env, workdir))[0])
        _, stderr = await _run(["-X", "importtime", "-c", f"import {PARSER_MODULE}"], env, workdir)
        own_ms.append(_own_import_ms(stderr, PARSER_MODULE))
    return ParserImport(tuple(bare_s), tuple(import_s), tuple(own_ms))


async def _run(args: list[str], env: dict[str, str], workdir: Path) -> tuple[float, str]:
    """Seconds from spawning `python *args` to its exit, and its stderr."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(_START_TIMEOUT):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    seconds = time.monotonic() - started
    text = stderr.decode(errors="replace")
    if process.returncode != 0:
        raise BenchmarkError(f"python {' '.join(args)} failed:\n{text[-2000:]}")
    return seconds, text


def _own_import_ms(importtime: str, module: str) -> float:
    """The module's cumulative time in an `-X importtime` report. When the module's package
    imports it first, the module appears twice: inside the package (its own import) and at
    the top (the package's, already counted); the smaller is its own."""
    cumulative = [
        int(line.split("|")[1])
        for line in importtime.splitlines()
        if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module
    ]
    if not cumulative:
        raise BenchmarkError(f"-X importtime did not list {module}")
    return min(cumulative) / 1e3


def _environment_without_settings() -> dict[str, str]:
    settings = {name.upper() for name in Settings.model_fields}
    return {key: value for key, value in os.environ.items() if key.upper() not in settings}


def _environment(server: FakeTelegram, database: Database) -> dict[str, str]:
    env = _environment_without_settings()
    env.update(BOT_TOKEN=server.token, TELEGRAM_API_URL=server.base_url, DATABASE_URL=database.url)
    return env


async def _first_poll(
    server: FakeTelegram, args: list[str], env: dict[str, str], workdir: Path
) -> float:
    """Seconds from spawning the process to the server receiving its first getUpdates (the
    server stamps each request on arrival, so no delay of ours is in the number)."""
    seen = len(server.calls("getUpdates"))
    log_path = workdir / "startup.log"
    with log_path.open("ab") as log:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=workdir, env=env, stdout=log, stderr=log
        )
    try:
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
            return server.calls("getUpdates")[seen].time - started
        what = "python -m bot" if args[0] == "-m" else "the bare aiogram bot"
        raise BenchmarkError(
            f"{what} did not poll within {_START_TIMEOUT:.0f} s (exit code "
            f"{process.returncode}):\n" + log_path.read_text(errors="replace")[-2000:]
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
