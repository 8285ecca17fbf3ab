"""Small builders for records in a test database (one unit of work each), shared by the
dashboard, search and reporting tests. Dates are given by the test; nothing is random."""

from __future__ import annotations

import datetime as dt
import uuid

from db import models as m
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A UK wall-clock time on ``day`` as UTC."""
    return clock.london_to_utc(dt.datetime.combine(day, dt.time(hour, 0)))


class Records:
    def __init__(self, ctx):
        self.ctx = ctx

    def _add(self, obj):
        with unit_of_work(self.ctx) as s:
            s.add(obj)
            s.flush()
            return obj.id

    def update(self, model, ident: int, **values) -> None:
        with unit_of_work(self.ctx) as s:
            obj = s.get(model, ident)
            for k, v in values.items():
                setattr(obj, k, v)

    def delete(self, model, ident: int) -> None:
        """Delete the row as the database would (its foreign keys cascade), not through the ORM."""
        from sqlalchemy import delete

        with unit_of_work(self.ctx) as s:
            s.execute(delete(model).where(model.id == ident))

    def window(self, name: str = "Recruitment 2026", opens: dt.date | None = None, closes: dt.date | None = None,
               term_starts_on: dt.date | None = None, **kw) -> int:
        opens = opens or clock.today() - dt.timedelta(days=60)
        closes = closes or opens + dt.timedelta(days=30)
        return self._add(m.RecruitmentWindow(name=name, opens_on=opens, closes_on=closes, places=10,
                                             term_starts_on=term_starts_on, **kw))

    def person(self, first: str = "Alex", last: str = "Example", preferred: str | None = None, **kw) -> int:
        return self._add(m.Person(first_name=first, last_name=last, preferred_name=preferred, **kw))

    def application(self, person_id: int, window_id: int, stage: str = "received",
                    changed: dt.datetime | None = None, received: dt.datetime | None = None,
                    home_area: str = "city", how_heard: str | None = "opcc_website", **kw) -> int:
        received = received or clock.now() - dt.timedelta(days=1)
        return self._add(m.Application(person_id=person_id, window_id=window_id, stage=stage,
                                       stage_changed_at=changed or received, received_at=received,
                                       home_area=home_area, how_heard=how_heard, **kw))

    def equality(self, application_id: int | None, window_id: int, **answers) -> int:
        return self._add(m.EqualityMonitoring(application_id=application_id, window_id=window_id, **answers))

    def term(self, person_id: int, starts: dt.date, ends: dt.date, application_id: int | None = None, **kw) -> int:
        return self._add(m.MembershipTerm(person_id=person_id, starts_on=starts, ends_on=ends,
                                          application_id=application_id, **kw))

    def dbs(self, person_id: int, requested: dt.date | None, issued: dt.date | None = None,
            decision: str | None = None, **kw) -> int:
        return self._add(m.DbsCheck(person_id=person_id, requested_on=requested, issue_date=issued,
                                    certificate_number="123456789012" if issued else None, level="enhanced",
                                    decision=decision, decision_on=issued, **kw))

    def meeting(self, title: str, starts: dt.datetime, status: str = "planned", kind: str = "forum",
                pack_sent_at: dt.datetime | None = None, **kw) -> int:
        return self._add(m.Meeting(title=title, meeting_type=kind, starts_at=starts, status=status,
                                   duration_minutes=120, calendar_uid=f"{uuid.uuid4()}@test",
                                   pack_sent_at=pack_sent_at, **kw))

    def invitation(self, meeting_id: int, person_id: int | None = None, contact_id: int | None = None,
                   attendance: str | None = None) -> int:
        return self._add(m.Invitation(meeting_id=meeting_id, person_id=person_id, contact_id=contact_id,
                                      response="accepted", attendance=attendance))

    def action(self, meeting_id: int, due: dt.date, status: str = "open", description: str = "Send the notes") -> int:
        return self._add(m.MeetingAction(meeting_id=meeting_id, description=description, due_on=due, status=status,
                                         owner_name="Priya Shah"))

    def feedback(self, summary: str, received: dt.date, status: str = "new", *, anonymous: bool = False,
                 person_id: int | None = None, response: str | None = None, source: str = "member",
                 **kw) -> int:
        return self._add(m.FeedbackItem(summary=summary, received_on=received, status=status, anonymous=anonymous,
                                        person_id=person_id, response=response, source_kind=source, **kw))

    def service(self, name: str, contract_end: dt.date | None = None, status: str = "active", **kw) -> int:
        return self._add(m.CommissionedService(name=name, kind="isva", contract_end=contract_end, status=status,
                                               **kw))

    def quiet(self, person_id: int, starts: dt.date, ends: dt.date) -> int:
        return self._add(m.QuietPeriod(person_id=person_id, starts_on=starts, ends_on=ends, reason="Trial"))

    def theme_id(self, name: str) -> int:
        from sqlalchemy import select

        with unit_of_work(self.ctx, readonly=True) as s:
            return s.scalar(select(m.Theme.id).where(m.Theme.name == name))

    def link(self, obj) -> None:
        with unit_of_work(self.ctx) as s:
            s.add(obj)
