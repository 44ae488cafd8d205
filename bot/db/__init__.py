from bot.db.base import Base
from bot.db.engine import create_engine, create_session_maker
from bot.db.models import Task, User

__all__ = ["Base", "Task", "User", "create_engine", "create_session_maker"]
