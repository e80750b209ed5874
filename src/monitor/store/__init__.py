"""Storage: SQLAlchemy models, sessions and Alembic migrations."""

from monitor.store.db import Database, open_database, storable

__all__ = ["Database", "open_database", "storable"]
