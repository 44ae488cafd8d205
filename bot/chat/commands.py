"""What Telegram shows of the bot before and around a chat, in each language we speak: the
command menu, the description in an empty chat, and the short description on its profile."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from bot.chat.i18n import DEFAULT_LOCALE, LOCALES, N_

COMMANDS = (
    ("add", N_("Add a task")),
    ("list", N_("Show my tasks")),
    ("tags", N_("My tags")),
    ("find", N_("Find tasks by words")),
    ("done", N_("Mark tasks done")),
    ("today", N_("Overdue and due today")),
    ("upcoming", N_("The next 7 days")),
    ("remind", N_("Remind me about a task")),
    ("tz", N_("My time zone")),
    ("settings", N_("Time zone, digest, quiet hours")),
    ("export", N_("My tasks as files")),
    ("import", N_("Add tasks from a file")),
    ("cancel", N_("Stop the current dialogue")),
    ("help", N_("How to use the bot")),
)


def bot_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=command, description=i18n.gettext(description, locale=locale))
        for command, description in COMMANDS
    ]


DESCRIPTION = N_(
    "I keep your to-do list. Send me any text and it becomes a task; /list shows your "
    "tasks, a tap changes their status, /done 3 ticks one off. English and Russian."
)
SHORT_DESCRIPTION = N_("A to-do list in Telegram: send a task, tick it off with a tap.")


async def set_bot_commands(bot: Bot, i18n: I18n) -> None:
    # The default (no language_code) is for everyone whose language we don't speak.
    for locale, language_code in ((DEFAULT_LOCALE, None), *((lang, lang) for lang in LOCALES)):
        await bot.set_my_commands(bot_commands(i18n, locale), language_code=language_code)
        await bot.set_my_description(
            i18n.gettext(DESCRIPTION, locale=locale), language_code=language_code
        )
        await bot.set_my_short_description(
            i18n.gettext(SHORT_DESCRIPTION, locale=locale), language_code=language_code
        )
