from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, UTCDateTime, personal


class Programme(Tracked, Base):
    """A run of meetings, e.g. "October 2024 - April 2025, ending in the April event"."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)


class Venue(Tracked, Base):
    __tablename__ = "venue"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    step_free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    quiet_room: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    parking: Mapped[str | None] = mapped_column(String(300))
    transport_notes: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Meeting(Tracked, Base):
    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("calendar_uid"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    meeting_type: Mapped[str] = mapped_column(String(20), nullable=False)
    # Stored in UTC; shown and entered in Europe/London.
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=120)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="SET NULL"))
    online_link: Mapped[str | None] = mapped_column(String(500))
    accessibility_arrangements: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # Protective marking for the pack; NULL uses the office default.
    protective_marking: Mapped[str | None] = mapped_column(String(40))
    calendar_uid: Mapped[str] = mapped_column(String(100), nullable=False)
    calendar_sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pack_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)

    venue: Mapped[Venue | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    actions: Mapped[list[MeetingAction]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAction.id"
    )
    decisions: Mapped[list[MeetingDecision]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingDecision.id"
    )


class AgendaItem(Tracked, Base):
    __tablename__ = "agenda_item"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    presenter: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int | None] = mapped_column(Integer)
    # Trauma-informed practice: a warning where a topic may be distressing.
    content_note: Mapped[str | None] = mapped_column(Text)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("commissioned_service.id", ondelete="SET NULL")
    )
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("commissioning_cycle.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    papers: Mapped[list[AgendaPaper]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaPaper.position"
    )


class AgendaPaper(Tracked, Base):
    """A PDF paper attached to an agenda item. Held in the database so every PC sees it."""

    __tablename__ = "agenda_paper"

    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    file_name: Mapped[str] = mapped_column(String(260), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)


class Invitation(Tracked, Base):
    """A member or a stakeholder contact invited to a meeting, and how they took part."""

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        UniqueConstraint("meeting_id", "contact_id"),
        CheckConstraint(
            "(person_id IS NULL) <> (contact_id IS NULL)", name="person_or_contact"
        ),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_contact.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    attendance: Mapped[str | None] = mapped_column(String(20))
    participation_mode: Mapped[str | None] = mapped_column(String(30))
    notes: Mapped[str | None] = mapped_column(Text, info=personal())

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")


class MeetingAction(Tracked, Base):
    __tablename__ = "meeting_action"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")


class MeetingDecision(Tracked, Base):
    __tablename__ = "meeting_decision"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
