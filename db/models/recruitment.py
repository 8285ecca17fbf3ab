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

from db.base import Base, Tracked, UTCDateTime, personal


class RecruitmentWindow(Tracked, Base):
    """An openly advertised period in which people can apply to join the group."""

    __tablename__ = "recruitment_window"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("places BETWEEN 1 AND 10", name="places_1_to_10"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opens"),
    )

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    opens_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    closes_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    places: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    selection_interview: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    selection_video: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    advert_text: Mapped[str | None] = mapped_column(Text)
    term_starts_on: Mapped[dt.date | None] = mapped_column(Date)
    # Set when the panel has made its decisions; drives "selection complete".
    selection_completed_on: Mapped[dt.date | None] = mapped_column(Date)
    # A window closed early by staff (before closes_on).
    closed_early_on: Mapped[dt.date | None] = mapped_column(Date)
    previous_window_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    channels: Mapped[list[WindowChannel]] = relationship(
        back_populates="window", cascade="all, delete-orphan", order_by="WindowChannel.channel"
    )


class WindowChannel(Base):
    """A channel a window was advertised on."""

    __tablename__ = "window_channel"
    __table_args__ = (UniqueConstraint("window_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(40), nullable=False)
    other_text: Mapped[str | None] = mapped_column(String(200))

    window: Mapped[RecruitmentWindow] = relationship(back_populates="channels")


class Application(Tracked, Base):
    """One person's application to one recruitment window."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("person_id", "window_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    window_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    stage: Mapped[str] = mapped_column(String(30), nullable=False, default="received", index=True)
    stage_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL")
    )
    # Identity of the row in the producer's export (Forms "ID", or a hash of the row).
    external_ref: Mapped[str | None] = mapped_column(String(120))
    # Hash of the imported answers, to tell "unchanged" from "changed since last time".
    answers_hash: Mapped[str | None] = mapped_column(String(64))

    how_heard: Mapped[str | None] = mapped_column(String(40))
    how_heard_other: Mapped[str | None] = mapped_column(String(200))
    basis: Mapped[str | None] = mapped_column(String(40))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    statement: Mapped[str | None] = mapped_column(Text, info=personal())
    availability: Mapped[str | None] = mapped_column(Text, info=personal())
    selection_method: Mapped[str | None] = mapped_column(String(20))
    video_reference: Mapped[str | None] = mapped_column(String(500), info=personal())

    # Eligibility as computed from the postcodes, then as decided by a person.
    home_area: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    work_area: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    residence: Mapped[str] = mapped_column(String(30), nullable=False, default="not_given")
    eligibility_notes: Mapped[str | None] = mapped_column(Text)
    eligibility_decision: Mapped[str | None] = mapped_column(String(20))
    # Why the person on staff decided as they did (eligibility_notes keeps what the postcodes said).
    eligibility_reason: Mapped[str | None] = mapped_column(Text, info=personal())
    eligibility_decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    eligibility_decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    decision_reason: Mapped[str | None] = mapped_column(String(40))
    decision_notes: Mapped[str | None] = mapped_column(Text)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # Set when a current member is invited to re-apply at a refresh.
    invited_to_reapply: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    person = relationship("Person", back_populates="applications")
    window: Mapped[RecruitmentWindow] = relationship()
    experience_areas: Mapped[list[ApplicationExperience]] = relationship(
        cascade="all, delete-orphan", order_by="ApplicationExperience.area"
    )
    stage_changes: Mapped[list[StageChange]] = relationship(
        cascade="all, delete-orphan", order_by="StageChange.changed_at"
    )


class ApplicationExperience(Base):
    __tablename__ = "application_experience"
    __table_args__ = (UniqueConstraint("application_id", "area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    area: Mapped[str] = mapped_column(String(40), nullable=False)
    other_text: Mapped[str | None] = mapped_column(String(200), info=personal())


class StageChange(Base):
    """A dated, attributed move of an application through the pipeline. Never edited."""

    __tablename__ = "stage_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30), nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)


class EqualityMonitoring(Tracked, Base):
    """Optional equality monitoring answers, kept apart from the application.

    NULL means the question was not answered ("not stated"); every question
    also accepts "prefer_not_to_say". ``window_id`` stays when the person is
    anonymised and the row is detached, so the answers survive only as counts.
    """

    __tablename__ = "equality_monitoring"

    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL"), unique=True
    )
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="SET NULL"), index=True
    )
    age_band: Mapped[str | None] = mapped_column(String(30))
    sex: Mapped[str | None] = mapped_column(String(30))
    gender_same_as_birth: Mapped[str | None] = mapped_column(String(30))
    ethnic_group: Mapped[str | None] = mapped_column(String(40))
    ethnic_group_detail: Mapped[str | None] = mapped_column(String(120))
    disability: Mapped[str | None] = mapped_column(String(30))
    sexual_orientation: Mapped[str | None] = mapped_column(String(40))
    religion: Mapped[str | None] = mapped_column(String(40))
    # Area derived from the postcode at the time, kept for the counts.
    area: Mapped[str | None] = mapped_column(String(20))
    how_heard: Mapped[str | None] = mapped_column(String(40))
    was_member: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    detached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AssessmentCriterion(Tracked, Base):
    """A rubric criterion, scored 1-5 by each assessor."""

    __tablename__ = "assessment_criterion"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    applies_to_interview: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    applies_to_video: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Assessment(Tracked, Base):
    """One assessor's assessment of an interview or a submitted video."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id", "method"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    assessor_name: Mapped[str] = mapped_column(String(120), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    # Where the video is held (a link or a reference), never the video itself.
    video_reference: Mapped[str | None] = mapped_column(String(500), info=personal())
    panel_notes: Mapped[str | None] = mapped_column(Text, info=personal())
    recommendation: Mapped[str | None] = mapped_column(String(30))

    scores: Mapped[list[AssessmentScore]] = relationship(cascade="all, delete-orphan")


class AssessmentScore(Base):
    __tablename__ = "assessment_score"
    __table_args__ = (
        UniqueConstraint("assessment_id", "criterion_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), nullable=False
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_criterion.id", ondelete="RESTRICT"), nullable=False
    )
    score: Mapped[int] = mapped_column(Integer, nullable=False)
