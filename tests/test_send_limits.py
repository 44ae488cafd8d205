"""Telegram's send limits, kept on the bot's side: per bot for every send, per chat for what
the bot sends unasked."""

from __future__ import annotations

import asyncio
import time

from bot.chat.factory import create_bot
from bot.chat.send_limits import SendLimiter
from bot.config import Settings
from tests.chat.recording import RecordingSession

TOKEN = "4242:TEST-token-for-the-recording-session"


async def test_every_send_of_the_bot_keeps_the_per_bot_rate() -> None:
    session = RecordingSession()
    bot = create_bot(Settings(bot_token=TOKEN, send_rate=20), session=session)
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(1000 + n, f"hi {n}") for n in range(7)))
    elapsed = time.monotonic() - started
    assert len([r for r in session.requests if r.method == "sendMessage"]) == 7
    assert elapsed >= 6 / 20 - 0.02  # seven sends at 20 a second: six intervals


async def test_unasked_sends_keep_one_a_second_per_chat() -> None:
    now = [0.0]
    limiter = SendLimiter(per_second=1000, per_chat_interval=1.0, clock=lambda: now[0])
    started = time.monotonic()
    await limiter.wait(7)
    await limiter.wait(8)  # another chat: no wait
    assert time.monotonic() - started < 0.1
    waiting = asyncio.create_task(limiter.wait(7))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the same chat again within the second
    waiting.cancel()
