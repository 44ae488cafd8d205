"""`python -m bot`: start the bot (long polling, or a webhook replica with WEBHOOK_URL) with
settings from the environment or .env; `python -m bot set-webhook` points Telegram at
WEBHOOK_URL, once per deployment."""

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
            "registers the command menu, then long-polls Telegram until SIGINT or SIGTERM.\n"
            "With WEBHOOK_URL set, it is instead one replica of a webhook deployment: it takes\n"
            "updates on WEBHOOK_HOST:WEBHOOK_PORT (POST WEBHOOK_PATH, GET /healthz) behind a\n"
            "proxy; REDIS_URL lets several replicas share one database."
        ),
        epilog=(
            "commands:\n"
            "  (none)        run the bot\n"
            "  set-webhook   once per deployment: point Telegram at WEBHOOK_URL with\n"
            "                WEBHOOK_SECRET (DROP_PENDING_UPDATES applies), register the\n"
            "                command menu, and exit\n\n"
            "settings (environment variables, or a .env file in the working directory):\n"
            f"{describe_settings()}\n\n"
            "Only BOT_TOKEN is required; by default tasks are kept in a SQLite file here."
        ),
    )
    parser.add_argument("--version", action="version", version=f"todo-bot {__version__}")
    parser.add_argument(
        "command",
        nargs="?",
        choices=["set-webhook"],
        help="set-webhook: point Telegram at WEBHOOK_URL, then exit (see below)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings()  # BOT_TOKEN and the rest come from the environment
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)
        return 2

    from bot.logs import configure_logging

    configure_logging(settings)  # before anything else can log a secret
    from bot.app import StartupError, run, set_webhook_once  # aiogram is slow to import

    try:
        asyncio.run(set_webhook_once(settings) if args.command == "set-webhook" else run(settings))
    except StartupError as error:
        # One line that names the setting; the traceback only for those who asked for it.
        log.error("cannot start: %s", error, exc_info=settings.log_level == "DEBUG")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
