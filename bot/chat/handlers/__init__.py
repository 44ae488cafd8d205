"""All routers, built fresh per dispatcher (a router has one parent), for the dispatcher to
include directly: each level of nesting costs aiogram a propagation on every update.

Every handler of free text carries NOT_A_COMMAND, and the dialogue ones their state, so no
two routers want the same update and their order only decides how many filters an update
passes on its way: the busiest first (buttons on cards, adding, the list). Errors and the
fallback, which takes whatever nobody else did, come last.
"""

from aiogram import Router

from bot.chat.handlers import (
    add,
    cancel,
    card,
    done,
    due,
    edits,
    errors,
    export,
    fallback,
    imports,
    listing,
    reminders,
    search,
    settings,
    start,
    tags,
)


def create_routers() -> list[Router]:
    return [
        card.create_router(),
        due.create_router(),
        reminders.create_router(),
        settings.create_router(),
        export.create_router(),
        imports.create_router(),
        tags.create_router(),
        add.create_router(),
        listing.create_router(),
        search.create_router(),
        done.create_router(),
        start.create_router(),
        cancel.create_router(),
        edits.create_router(),
        errors.create_router(),
        fallback.create_router(),
    ]
