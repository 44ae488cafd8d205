"""`python -m bot`: start the bot (long polling) with settings from the environment or .env."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from bot import __version__
from bot.config import Settings, describe_error, describe_settings


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

    from bot.app import configure_logging, run  # aiogram is slow to import; --help is not

    configure_logging(settings)
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
