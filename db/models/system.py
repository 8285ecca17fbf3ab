from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, UTCDateTime


class ImportBatch(Tracked, Base):
    """A record of every spreadsheet import: which file, who, when, and the counts."""

    __tablename__ = "import_batch"

    file_name: Mapped[str] = mapped_column(String(260), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="SET NULL")
    )
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    needs_review: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    profile_name: Mapped[str | None] = mapped_column(String(120))


class ImportProfile(Tracked, Base):
    """A saved mapping from a spreadsheet's headers to the application's fields."""

    __tablename__ = "import_profile"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    mapping: Mapped[dict] = mapped_column(JSON, nullable=False)


class AppSetting(Tracked, Base):
    """Office-wide settings shared by every PC (per-PC window state lives in QSettings)."""

    __tablename__ = "app_setting"
    __table_args__ = (UniqueConstraint("key"),)

    key: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)  # JSON text


class AuditEvent(Base):
    """Append-only, hash-chained record of who did what. Never holds the values."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives accounts
    actor_name: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # The person the event is about, for subject access requests.
    subject_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    fields: Mapped[str | None] = mapped_column(Text)  # comma-separated field names
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, default="ok")
    detail: Mapped[str | None] = mapped_column(String(500))  # never personal data
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
