from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, personal


class VictimsCodeRight(Base):
    """The twelve rights of the Victims' Code (reference data, loaded by migration)."""

    __tablename__ = "victims_code_right"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)


class Theme(Tracked, Base):
    """A managed list of feedback themes."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class FeedbackItem(Tracked, Base):
    """Something a member (or the group) said that should inform commissioning."""

    __tablename__ = "feedback_item"
    __table_args__ = (
        CheckConstraint(
            "status <> 'not_actioned' OR not_actioned_reason IS NOT NULL",
            name="not_actioned_has_reason",
        ),
    )

    quote: Mapped[str | None] = mapped_column(Text, info=personal())
    summary: Mapped[str] = mapped_column(String(500), nullable=False)
    source_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    # The member it came from. When ``anonymous`` is set only permitted staff may
    # see this link, and it never appears in any output.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_contact.id", ondelete="SET NULL")
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    received_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("commissioning_cycle.id", ondelete="SET NULL"), index=True
    )
    cycle_stage: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="medium")
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="new", index=True)
    status_changed_at: Mapped[dt.date | None] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)
    response_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    # The owner when it is not a staff account (e.g. "Commissioning Manager", or a provider lead).
    response_owner_name: Mapped[str | None] = mapped_column(String(200))
    response_due_on: Mapped[dt.date | None] = mapped_column(Date)
    not_actioned_reason: Mapped[str | None] = mapped_column(Text)
    reported_back_on: Mapped[dt.date | None] = mapped_column(Date)
    reported_back_how: Mapped[str | None] = mapped_column(String(200))

    themes: Mapped[list[FeedbackTheme]] = relationship(cascade="all, delete-orphan")
    services: Mapped[list[FeedbackService]] = relationship(cascade="all, delete-orphan")
    rights: Mapped[list[FeedbackRight]] = relationship(cascade="all, delete-orphan")


class FeedbackTheme(Base):
    __tablename__ = "feedback_theme"
    __table_args__ = (UniqueConstraint("feedback_id", "theme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="RESTRICT"), nullable=False, index=True)


class FeedbackService(Base):
    __tablename__ = "feedback_service"
    __table_args__ = (UniqueConstraint("feedback_id", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("commissioned_service.id", ondelete="CASCADE"), nullable=False, index=True
    )


class FeedbackRight(Base):
    __tablename__ = "feedback_right"
    __table_args__ = (UniqueConstraint("feedback_id", "right_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    right_number: Mapped[int] = mapped_column(
        ForeignKey("victims_code_right.number", ondelete="RESTRICT"), nullable=False, index=True
    )
