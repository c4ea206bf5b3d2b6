"""Persistence: SQLite (WAL) by default, PostgreSQL or any SQLAlchemy URL for teams."""

from activelabel.store.repository import QueueEntry, Store, SubmitResult

__all__ = ["QueueEntry", "Store", "SubmitResult"]
