"""Records for the security tests, made directly (no other feature's services needed)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

import db.models as m
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work

CANARY_FIRST = "Zebulon"
CANARY_LAST = "Quixwell-Canary"
CANARY_EMAIL = "zebulon.canary@example.org"
CANARY_PHONE = "01632 960417"
CANARY_POSTCODE = "LE1 7ZZ"
CANARY_STATEMENT = "Canary statement about what happened to me in Quorn"


def window(ctx, name: str, *, decided: dt.date | None, closes: dt.date | None = None) -> int:
    closes = closes or (decided - dt.timedelta(days=20) if decided else clock.today())
    with unit_of_work(ctx) as s:
        w = m.RecruitmentWindow(name=name, opens_on=closes - relativedelta(months=1), closes_on=closes, places=10,
                                selection_completed_on=decided)
        s.add(w)
        s.flush()
        return w.id


def person(ctx, first: str = "Ada", last: str = "Lovelace", **extra) -> int:
    values = dict(email=f"{first.lower()}.{last.lower()}@example.org", phone="07700 900123",
                  postcode="LE2 1AA", address_line1="1 High Street", town="Leicester", notes="Some notes",
                  email_key=f"{first.lower()}.{last.lower()}@example.org", name_key=f"{first}|{last}".lower())
    values.update(extra)
    with unit_of_work(ctx) as s:
        p = m.Person(first_name=first, last_name=last, **values)
        s.add(p)
        s.flush()
        return p.id


def canary_person(ctx) -> int:
    return person(ctx, CANARY_FIRST, CANARY_LAST, email=CANARY_EMAIL, email_key=CANARY_EMAIL, phone=CANARY_PHONE,
                  phone_key="+441632960417", postcode=CANARY_POSTCODE, preferred_name="Zeb",
                  date_of_birth=dt.date(1970, 5, 17), notes=f"{CANARY_FIRST} prefers mornings",
                  name_key=f"{CANARY_FIRST}|{CANARY_LAST}".lower(), contact_notes="Canary contact notes",
                  accessibility_needs="Canary step-free access")


def application(ctx, person_id: int, window_id: int, stage: str = "unsuccessful", *, statement: str | None = None,
                equality: bool = True) -> int:
    with unit_of_work(ctx) as s:
        a = m.Application(person_id=person_id, window_id=window_id, stage=stage, received_at=clock.now(),
                          statement=statement or "My statement", availability="Weekday evenings",
                          eligibility_notes="Lives in Leicester", home_area="leicester")
        s.add(a)
        s.flush()
        s.add(m.StageChange(application_id=a.id, from_stage=None, to_stage=stage, changed_at=clock.now(),
                            reason="Panel decision about this person"))
        s.add(m.ApplicationExperience(application_id=a.id, area="other", other_text="A personal story"))
        if equality:
            s.add(m.EqualityMonitoring(application_id=a.id, window_id=window_id, age_band="35_44", sex="female",
                                       ethnic_group="white", ethnic_group_detail="Canary heritage detail",
                                       area="leicester"))
        return a.id


def term(ctx, person_id: int, starts: dt.date, ends: dt.date) -> int:
    with unit_of_work(ctx) as s:
        t = m.MembershipTerm(person_id=person_id, starts_on=starts, ends_on=ends, notes="Term notes")
        s.add(t)
        s.flush()
        return t.id


def feedback(ctx, person_id: int, quote: str = "What I said") -> int:
    with unit_of_work(ctx) as s:
        f = m.FeedbackItem(summary="Waiting times are too long", source_kind="member", person_id=person_id,
                           quote=quote, received_on=clock.today())
        s.add(f)
        s.flush()
        return f.id


def get(ctx, model, ident):
    from types import SimpleNamespace

    with unit_of_work(ctx, readonly=True) as s:
        row = s.get(model, ident)
        return None if row is None else SimpleNamespace(
            **{c.name: getattr(row, c.name) for c in model.__table__.columns})
