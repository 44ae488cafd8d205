from bot.middlewares.dialogue import LeaveDialogueOnCommand
from bot.middlewares.guard import ForeignPressGuard
from bot.middlewares.person import PersonMiddleware

__all__ = ["ForeignPressGuard", "LeaveDialogueOnCommand", "PersonMiddleware"]
