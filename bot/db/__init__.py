from bot.db.base import Base
from bot.db.engine import create_engine, create_session_maker
from bot.db.models import Tag, Task, TaskTag, User

__all__ = ["Base", "Tag", "Task", "TaskTag", "User", "create_engine", "create_session_maker"]
