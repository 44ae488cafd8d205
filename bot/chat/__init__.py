"""The aiogram layer: handlers, middlewares, keyboards, texts; it talks to services only."""

from bot.chat.factory import create_bot, create_dispatcher

__all__ = ["create_bot", "create_dispatcher"]
