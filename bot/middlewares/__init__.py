from bot.middlewares.access import AccessControl
from bot.middlewares.dialogue import LeaveDialogueOnCommand
from bot.middlewares.guard import ForeignPressGuard
from bot.middlewares.person import PersonMiddleware
from bot.middlewares.ratelimit import RateLimit

__all__ = [
    "AccessControl",
    "ForeignPressGuard",
    "LeaveDialogueOnCommand",
    "PersonMiddleware",
    "RateLimit",
]
