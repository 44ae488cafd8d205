"""A Telegram bot for personal to-do lists."""

__version__ = "0.1.0"
