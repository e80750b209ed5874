"""Storage: SQLAlchemy models, sessions and Alembic migrations."""

from monitor.store.db import Database, existing_database, open_database, storable

__all__ = ["Database", "existing_database", "open_database", "storable"]
