"""Runs the real `python -m bot` as a child process, the way a person starts it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path


class BotProcess:
    def __init__(self, env: dict[str, str], workdir: Path, args: Sequence[str] = ()) -> None:
        self.env = env
        self.args = list(args)
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL"}
        }
        environment.update(self.env)
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *self.args,
                cwd=self.workdir,  # no developer's .env here
                env=environment,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait for the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def exit_code(self, timeout: float = 30) -> int:
        """Wait for a process that ends by itself (a command)."""
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
