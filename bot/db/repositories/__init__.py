"""One repository per aggregate; each works on the connection of a unit of work."""

from bot.db.repositories.search import SearchRepository
from bot.db.repositories.tags import TagRepository
from bot.db.repositories.tasks import TaskRepository
from bot.db.repositories.users import PersonState, UserRepository

__all__ = ["PersonState", "SearchRepository", "TagRepository", "TaskRepository", "UserRepository"]
