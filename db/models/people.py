from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, UTCDateTime, personal


class Person(Tracked, Base):
    """One row per human: applicant, member, or both over time."""

    __tablename__ = "person"

    first_name: Mapped[str] = mapped_column(String(100), nullable=False, info=personal())
    last_name: Mapped[str] = mapped_column(String(100), nullable=False, info=personal())
    preferred_name: Mapped[str | None] = mapped_column(String(100), info=personal())
    pronouns: Mapped[str | None] = mapped_column(String(40), info=personal())
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, info=personal())

    email: Mapped[str | None] = mapped_column(String(254), info=personal(contact=True))
    phone: Mapped[str | None] = mapped_column(String(32), info=personal(contact=True))
    phone_alt: Mapped[str | None] = mapped_column(String(32), info=personal(contact=True))
    address_line1: Mapped[str | None] = mapped_column(String(200), info=personal(contact=True))
    address_line2: Mapped[str | None] = mapped_column(String(200), info=personal(contact=True))
    town: Mapped[str | None] = mapped_column(String(100), info=personal(contact=True))
    postcode: Mapped[str | None] = mapped_column(String(10), info=personal(contact=True))
    work_postcode: Mapped[str | None] = mapped_column(String(10), info=personal(contact=True))

    # Keys used to recognise the same person again (lower-cased email, E.164 phone,
    # folded name + date of birth). Personal: they go when the person is anonymised.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True, info=personal())
    phone_key: Mapped[str | None] = mapped_column(String(32), index=True, info=personal())
    name_key: Mapped[str | None] = mapped_column(String(220), index=True, info=personal())

    # Safe contact.
    preferred_contact: Mapped[str | None] = mapped_column(String(30))
    safe_to_phone: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    safe_voicemail: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    safe_text: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    safe_post: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    safe_email: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    times_to_avoid: Mapped[str | None] = mapped_column(String(200), info=personal())
    contact_notes: Mapped[str | None] = mapped_column(Text, info=personal())

    # Access needs.
    interpreter_language: Mapped[str | None] = mapped_column(String(60), info=personal())
    needs_bsl: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    accessibility_needs: Mapped[str | None] = mapped_column(Text, info=personal())
    support_person: Mapped[str | None] = mapped_column(String(200), info=personal())

    notes: Mapped[str | None] = mapped_column(Text, info=personal())
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    applications = relationship("Application", back_populates="person")
    quiet_periods: Mapped[list[QuietPeriod]] = relationship(
        cascade="all, delete-orphan", order_by="QuietPeriod.starts_on"
    )
    terms = relationship("MembershipTerm", back_populates="person", order_by="MembershipTerm.starts_on")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def known_as(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()


class QuietPeriod(Tracked, Base):
    """Dates on which nobody contacts the person (for example around a trial)."""

    __tablename__ = "quiet_period"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_starts"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200), info=personal())


class MembershipTerm(Tracked, Base):
    """One term of membership. A new term is a new row; history is never rewritten."""

    __tablename__ = "membership_term"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_starts"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )
    starts_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    override: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_from: Mapped[dt.date | None] = mapped_column(Date)
    override_set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    override_set_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    invited_to_reapply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refresh_window_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_window.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    person = relationship("Person", back_populates="terms")


class DbsCheck(Tracked, Base):
    """The fact and outcome of a DBS check. Never a copy of the certificate."""

    __tablename__ = "dbs_check"
    __table_args__ = (
        CheckConstraint(
            "certificate_number IS NULL OR length(certificate_number) = 12",
            name="certificate_number_12_digits",
        ),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    requested_on: Mapped[dt.date | None] = mapped_column(Date)
    application_reference: Mapped[str | None] = mapped_column(String(40), info=personal())
    certificate_number: Mapped[str | None] = mapped_column(String(12), info=personal())
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(20))
    workforce: Mapped[str | None] = mapped_column(String(20))
    update_service: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(30))
    decision_on: Mapped[dt.date | None] = mapped_column(Date)
    # Disclosure detail is removed after the retention period; the summary stays.
    disclosure_detail: Mapped[str | None] = mapped_column(Text, info=personal(sensitive=True))
    disclosure_summary: Mapped[str | None] = mapped_column(String(200))
    disclosure_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    renewal_in_progress: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    update_checks: Mapped[list[DbsUpdateCheck]] = relationship(
        cascade="all, delete-orphan", order_by="DbsUpdateCheck.checked_on"
    )


class DbsUpdateCheck(Tracked, Base):
    """An Update Service status check of a certificate."""

    __tablename__ = "dbs_update_check"

    dbs_check_id: Mapped[int] = mapped_column(
        ForeignKey("dbs_check.id", ondelete="CASCADE"), nullable=False, index=True
    )
    checked_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    consent_recorded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    result: Mapped[str] = mapped_column(String(30), nullable=False)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))


class ExpenseClaim(Tracked, Base):
    """A claim for expenses (or an involvement payment). Money in whole pence."""

    __tablename__ = "expense_claim"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    incurred_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(String(300))
    # Tenths of a mile, so that money and distance stay exact integers.
    miles_tenths: Mapped[int | None] = mapped_column(Integer)
    passengers: Mapped[int | None] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="submitted")
    submitted_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    rejected_reason: Mapped[str | None] = mapped_column(String(300))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    dbs_check_id: Mapped[int | None] = mapped_column(ForeignKey("dbs_check.id", ondelete="SET NULL"))
