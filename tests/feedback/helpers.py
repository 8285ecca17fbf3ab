"""Small records for feedback and commissioning tests, made through the services."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import Meeting, MembershipTerm, Organisation, Person, Theme
from lived_experience.commissioning import cycles as cy
from lived_experience.commissioning import services as cs
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work
from lived_experience.feedback import service as fb

SECRET_NAME = "Zebedee Quartermaine"


def make_member(ctx, first="Zebedee", last="Quartermaine") -> int:
    with unit_of_work(ctx) as s:
        p = Person(first_name=first, last_name=last)
        s.add(p)
        s.flush()
        today = clock.today()
        s.add(MembershipTerm(person_id=p.id, starts_on=today - dt.timedelta(days=100),
                             ends_on=today + dt.timedelta(days=400)))
        return p.id


def make_meeting(ctx, title="Forum on first contact", days_ago=10) -> int:
    with unit_of_work(ctx) as s:
        m = Meeting(title=title, meeting_type="forum", status="held", calendar_uid=f"t-{title}@test",
                    starts_at=clock.now() - dt.timedelta(days=days_ago))
        s.add(m)
        s.flush()
        return m.id


def theme_ids(ctx) -> dict[str, int]:
    with unit_of_work(ctx, readonly=True) as s:
        return {n: i for n, i in s.execute(select(Theme.name, Theme.id))}


def make_service(ctx, name="Adult ISVA service", kind="isva", **kw) -> int:
    with unit_of_work(ctx) as s:
        org = s.scalar(select(Organisation).where(Organisation.name == "Provider Ltd"))
        if org is None:
            org = Organisation(name="Provider Ltd", kind="commissioned_provider")
            s.add(org)
            s.flush()
        org_id = org.id
    data = cs.ServiceInput(name=name, kind=kind, provider_id=org_id, **kw)
    return cs.create_service(ctx, data, allow_duplicate=True)


def make_cycle(ctx, service_id, name="2026 cycle", starts_days_ago=30) -> int:
    return cy.create_cycle(ctx, service_id, name, clock.today() - dt.timedelta(days=starts_days_ago))


def item(ctx, summary="Victims are not told who their officer is", **kw) -> int:
    data = dict(summary=summary, source_kind="meeting" if kw.get("meeting_id") else "written_submission",
                received_on=clock.today() - dt.timedelta(days=kw.pop("days_ago", 2)))
    data.update(kw)
    return fb.create_feedback(ctx, fb.FeedbackInput(**data))
