"""Erasure: a person anonymised everywhere, no trace left in the database file, backups listed."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select, text

import db.models as m
from lived_experience.core import clock
from lived_experience.core.errors import NotFound, PermissionDenied
from lived_experience.core.uow import unit_of_work
from lived_experience.retention.erasure import erase_person
from tests.conftest import as_role
from tests.security import helpers as h

CANARIES = [h.CANARY_FIRST, h.CANARY_LAST, h.CANARY_EMAIL, h.CANARY_PHONE, h.CANARY_POSTCODE,
            "Canary statement", "Canary heritage", "Canary contact notes", "Canary step-free", "Canary quote",
            "Canary invitation note", "Canary expense description", "CANARY-DBS-REF", "Canary quiet reason",
            "Canary disclosure detail", "prefers mornings", "001234567890"]


def _everything_about_the_canary(ctx) -> int:
    today = clock.today()
    w = h.window(ctx, "Canary window", decided=today - relativedelta(months=1))
    pid = h.canary_person(ctx)
    h.application(ctx, pid, w, "member", statement=h.CANARY_STATEMENT)
    h.term(ctx, pid, today - relativedelta(months=1), today + relativedelta(months=17))
    h.feedback(ctx, pid, quote="Canary quote: the court waiting room")
    with unit_of_work(ctx) as s:
        meeting = m.Meeting(title="Forum", meeting_type="forum", starts_at=clock.now(), calendar_uid="uid-canary")
        s.add(meeting)
        s.flush()
        s.add(m.Invitation(meeting_id=meeting.id, person_id=pid, notes="Canary invitation note"))
        dbs = m.DbsCheck(person_id=pid, application_reference="CANARY-DBS-REF", certificate_number="001234567890",
                         level="enhanced", decision="clear", disclosure_detail="Canary disclosure detail")
        s.add(dbs)
        s.add(m.ExpenseClaim(person_id=pid, kind="travel", incurred_on=today, amount_pence=1234,
                             submitted_on=today, description="Canary expense description"))
        s.add(m.QuietPeriod(person_id=pid, starts_on=today, ends_on=today + dt.timedelta(days=30),
                            reason="Canary quiet reason"))
    return pid


def _raw(path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data.lower()


def _found(data: bytes) -> list[str]:
    return [c for c in CANARIES if c.lower().encode() in data]


def test_erasure_leaves_no_trace_in_the_database_file(sqlite_ctx):
    ctx = sqlite_ctx
    pid = _everything_about_the_canary(ctx)
    path = ctx.db.sqlite_path
    assert set(_found(_raw(path))) == set(CANARIES)  # the test can see them before
    result = erase_person(ctx, pid)
    ctx.db.dispose()
    assert result.wal_truncated
    left = _found(_raw(path))
    assert left == [], f"still in the database file: {left}"
    # The records themselves are still there, de-identified.
    p = h.get(ctx, m.Person, pid)
    assert (p.first_name, p.last_name) == ("Anonymised", f"person {pid}") and p.anonymised_at
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(m.ExpenseClaim.amount_pence)) == 1234
        assert s.scalar(select(m.MembershipTerm.person_id)) == pid
        assert s.scalar(select(m.DbsCheck.decision)) == "clear"
        assert s.scalar(select(m.QuietPeriod.id)) is None
        events = list(s.execute(select(m.AuditEvent.action, m.AuditEvent.subject_person_id,
                                       m.AuditEvent.fields)))
    assert ("person.erase", pid) in [(a, p) for a, p, _f in events]


def test_erasure_works_the_same_on_both_engines(ctx):
    pid = _everything_about_the_canary(ctx)
    erase_person(ctx, pid)
    with ctx.db.engine.connect() as conn:
        tables = [t.name for t in m.Base.metadata.sorted_tables]
        dump = []
        for t in tables:
            for row in conn.execute(text(f'SELECT * FROM "{t}"')):
                dump.extend(str(v) for v in row)
    dump_text = " ".join(dump).lower()
    assert [c for c in CANARIES if c.lower() in dump_text] == []


def test_the_result_lists_the_backups_that_still_hold_the_person(sqlite_ctx):
    from lived_experience.maintenance.backups import automatic_backup_if_due

    ctx = sqlite_ctx
    pid = _everything_about_the_canary(ctx)
    made = automatic_backup_if_due(ctx)
    assert made is not None
    result = erase_person(ctx, pid)
    assert [b.path for b in result.backups] == [made.path]
    expected = (clock.to_london(result.backups[0].made_at) + dt.timedelta(days=14)).date()
    assert result.backups[0].expires_on == expected
    text_ = "\n".join(result.lines())
    assert made.path.name in text_ and expected.strftime("%d/%m/%Y") in text_
    # The backup really does still hold them (which is why it is listed).
    assert h.CANARY_EMAIL.encode() in made.path.read_bytes()


def test_only_administrators_erase(ctx):
    pid = h.person(ctx)
    for role in ("coordinator", "dbs_officer", "viewer"):
        with pytest.raises(PermissionDenied):
            erase_person(as_role(ctx, role), pid)
    with pytest.raises(NotFound):
        erase_person(ctx, 424242)
    assert h.get(ctx, m.Person, pid).first_name == "Ada"
