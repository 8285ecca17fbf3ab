from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked


class CommissionedService(Tracked, Base):
    """A victim service the office commissions (ISVA, SARC, counselling...)."""

    __tablename__ = "commissioned_service"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("annual_value_pence IS NULL OR annual_value_pence >= 0", name="value_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    provider_name: Mapped[str | None] = mapped_column(String(200))
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    annual_value_pence: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    description: Mapped[str | None] = mapped_column(Text)

    cycles: Mapped[list[CommissioningCycle]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="CommissioningCycle.starts_on"
    )
    visits: Mapped[list[DueDiligenceVisit]] = relationship(
        cascade="all, delete-orphan", order_by="DueDiligenceVisit.visited_on"
    )


class DueDiligenceVisit(Tracked, Base):
    __tablename__ = "due_diligence_visit"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("commissioned_service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    visited_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    visited_by: Mapped[str] = mapped_column(String(200), nullable=False)
    area_and_work: Mapped[str | None] = mapped_column(Text)
    what_was_seen: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


class CommissioningCycle(Tracked, Base):
    """One (re)commissioning of a service: Analyse, Plan, Do, Review."""

    __tablename__ = "commissioning_cycle"
    __table_args__ = (UniqueConstraint("service_id", "name"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("commissioned_service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[CommissionedService] = relationship(back_populates="cycles")
    stages: Mapped[list[CycleStagePlan]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CycleStagePlan.position"
    )
    decisions: Mapped[list[CommissioningDecision]] = relationship(
        cascade="all, delete-orphan", order_by="CommissioningDecision.decided_on"
    )


class CycleStagePlan(Tracked, Base):
    """Planned and actual dates of one stage of a cycle."""

    __tablename__ = "cycle_stage"
    __table_args__ = (UniqueConstraint("cycle_id", "stage"),)

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("commissioning_cycle.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    cycle: Mapped[CommissioningCycle] = relationship(back_populates="stages")
    activities: Mapped[list[CycleActivity]] = relationship(
        cascade="all, delete-orphan", order_by="CycleActivity.id"
    )


class CycleActivity(Tracked, Base):
    """An activity within a stage: a consultation, the EIA, procurement, monitoring..."""

    __tablename__ = "cycle_activity"

    stage_id: Mapped[int] = mapped_column(
        ForeignKey("cycle_stage.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)


class CommissioningDecision(Tracked, Base):
    __tablename__ = "commissioning_decision"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("commissioning_cycle.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(String(300), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)

    feedback_links: Mapped[list[DecisionFeedback]] = relationship(cascade="all, delete-orphan")


class DecisionFeedback(Base):
    """A feedback item that informed a decision."""

    __tablename__ = "decision_feedback"
    __table_args__ = (UniqueConstraint("decision_id", "feedback_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("commissioning_decision.id", ondelete="CASCADE"), nullable=False
    )
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
