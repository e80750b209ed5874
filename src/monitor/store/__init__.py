"""Storage: SQLAlchemy models, sessions and Alembic migrations."""

from monitor.store.db import Database, open_database

__all__ = ["Database", "open_database"]
