"""`python -m bot`: start the bot (long polling) with settings from the environment or .env."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from bot import __version__
from bot.config import Settings, describe_error, describe_settings

log = logging.getLogger("bot")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "A Telegram bot for personal to-do lists. Brings the database to the newest schema,\n"
            "registers the command menu, then long-polls Telegram until SIGINT or SIGTERM."
        ),
        epilog=(
            "settings (environment variables, or a .env file in the working directory):\n"
            f"{describe_settings()}\n\n"
            "Only BOT_TOKEN is required; by default tasks are kept in a SQLite file here."
        ),
    )
    parser.add_argument("--version", action="version", version=f"todo-bot {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    parse_args(argv)
    try:
        settings = Settings()  # BOT_TOKEN and the rest come from the environment
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)
        return 2

    from bot.logs import configure_logging

    configure_logging(settings)  # before anything else can log a secret
    from bot.app import StartupError, run  # aiogram is slow to import; --help is not

    try:
        asyncio.run(run(settings))
    except StartupError as error:
        # One line that names the setting; the traceback only for those who asked for it.
        log.error("cannot start: %s", error, exc_info=settings.log_level == "DEBUG")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
