"""Declarative base, naming convention, shared column types and mixins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints are what let Alembic's batch mode (SQLite) and plain ALTER
# (PostgreSQL) find the same constraint again in a later migration.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A moment in time, always timezone-aware UTC in Python.

    SQLite has no time zones and PostgreSQL's ``timestamptz`` returns the
    session zone; storing naive UTC and re-attaching UTC on the way out gives
    the same value on both engines.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def personal(**extra) -> dict:
    """Column ``info`` for personal data: erasure and subject access find it here."""
    return {"personal": True, **extra}


class Tracked:
    """Every editable table: surrogate key, optimistic lock, who and when.

    ``version`` is SQLAlchemy's ``version_id_col``: an UPDATE or DELETE of a row
    whose version moved on since it was loaded matches no row and raises
    ``StaleDataError``, which the service layer turns into "changed by NAME at
    TIME" for the user.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - declarative hook
        return {"version_id_col": cls.__table__.c.version}
