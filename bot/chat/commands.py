"""The command menu Telegram shows next to the input field, in each language we speak."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from bot.chat.i18n import DEFAULT_LOCALE, LOCALES, N_

COMMANDS = (
    ("add", N_("Add a task")),
    ("list", N_("Show my tasks")),
    ("done", N_("Mark tasks done")),
    ("cancel", N_("Stop the current dialogue")),
    ("help", N_("How to use the bot")),
)


def bot_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=command, description=i18n.gettext(description, locale=locale))
        for command, description in COMMANDS
    ]


async def set_bot_commands(bot: Bot, i18n: I18n) -> None:
    # The default list (no language_code) is for everyone whose language we don't speak.
    await bot.set_my_commands(bot_commands(i18n, DEFAULT_LOCALE))
    for locale in LOCALES:
        await bot.set_my_commands(bot_commands(i18n, locale), language_code=locale)
