"""Builders for the meetings tests: members, DBS checks, venues, meetings and PDF papers."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from db.models import DbsCheck, MembershipTerm, Person, QuietPeriod
from lived_experience.core.uow import unit_of_work
from lived_experience.meetings import service
from lived_experience.meetings.service import MeetingInput, VenueInput

_n = itertools.count(1)


def add_member(ctx, first="Alex", last=None, *, starts_on=dt.date(2025, 8, 31), ends_on=dt.date(2027, 2, 27),
               cleared=True, **extra) -> int:
    """A member with a term covering 2026, and (by default) a cleared DBS check."""
    with unit_of_work(ctx) as s:
        p = Person(first_name=first, last_name=last or f"Member{next(_n)}", **extra)
        s.add(p)
        s.flush()
        s.add(MembershipTerm(person_id=p.id, starts_on=starts_on, ends_on=ends_on))
        if cleared:
            s.add(DbsCheck(person_id=p.id, requested_on=dt.date(2025, 6, 1), certificate_number="001234567890",
                           issue_date=dt.date(2025, 7, 1), level="enhanced", decision="clear",
                           decision_on=dt.date(2025, 7, 10)))
        return p.id


def add_quiet_period(ctx, person_id: int, starts_on: dt.date, ends_on: dt.date) -> None:
    with unit_of_work(ctx) as s:
        s.add(QuietPeriod(person_id=person_id, starts_on=starts_on, ends_on=ends_on, reason="Trial"))


def add_venue(ctx, name=None, **kw) -> int:
    return service.save_venue(ctx, VenueInput(name=name or f"Venue {next(_n)}", address="1 High Street, Leicester",
                                              postcode="LE1 1AA", step_free=True, hearing_loop=True, **kw))


def meeting_input(day: dt.date, time=dt.time(10, 0), **kw) -> MeetingInput:
    values = dict(title="Victims' voice forum", meeting_type="forum", date=day, time=time, duration_minutes=120)
    values.update(kw)
    return MeetingInput(**values)


def new_meeting(ctx, day: dt.date, time=dt.time(10, 0), **kw) -> int:
    result = service.save_meeting(ctx, meeting_input(day, time, **kw), confirm=True)
    assert result.saved
    return result.id


def pdf_bytes(pages: int = 2, text: str = "Paper", size=None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    size = size or A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    for i in range(pages):
        c.setFont("Helvetica", 14)
        c.drawString(72, size[1] - 100, f"{text} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()
