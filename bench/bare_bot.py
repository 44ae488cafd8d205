"""The start-up floor: the least an aiogram bot does before its first getUpdates.

Run as a script, `python bench/bare_bot.py`, with BOT_TOKEN and TELEGRAM_API_URL set: one
Bot, one Dispatcher, one handler, long polling until SIGTERM. No project code is imported.
"""

from __future__ import annotations

import asyncio
import os

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


if __name__ == "__main__":
    asyncio.run(main())
