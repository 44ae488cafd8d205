from bot.middlewares.access import AccessControl
from bot.middlewares.gate import Gate
from bot.middlewares.ratelimit import RateLimit

__all__ = ["AccessControl", "Gate", "RateLimit"]
