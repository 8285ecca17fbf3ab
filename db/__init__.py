"""Persistence: SQLAlchemy models, engine and session factory, Alembic migrations.

The lowest layer. It imports nothing from ``lived_experience`` or ``ui``.
"""
