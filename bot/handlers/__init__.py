"""All routers, in the order they must see updates: commands before dialogues, dialogues
before plain text, the fallback last. Built fresh per dispatcher (a router has one parent)."""

from aiogram import Router

from bot.handlers import add, cancel, card, done, errors, fallback, listing, start


def create_router() -> Router:
    router = Router(name=__name__)
    router.include_routers(
        start.create_router(),
        cancel.create_router(),
        listing.create_router(),
        done.create_router(),
        card.create_router(),
        add.create_router(),
        errors.create_router(),
        fallback.create_router(),
    )
    return router
