from bot.chat.middlewares.access import AccessControl
from bot.chat.middlewares.gate import Gate
from bot.chat.middlewares.ratelimit import RateLimit

__all__ = ["AccessControl", "Gate", "RateLimit"]
