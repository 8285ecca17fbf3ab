"""Canary values (a made-up person with a distinctive name, email, phone and postcode) never
reach the log file or the audit log, on either engine, whatever the services do with them;
and after erasure no table holds them (PostgreSQL's rows included)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

import db.models as m
from lived_experience.core import clock
from lived_experience.core.logs import setup_logging
from lived_experience.core.uow import unit_of_work
from tests.security import helpers as h

CANARIES = [h.CANARY_FIRST, h.CANARY_LAST, h.CANARY_EMAIL, h.CANARY_PHONE, h.CANARY_POSTCODE, "Canary statement",
            "1632960417", "Canary contact notes", "Canary step-free", "Canary heritage"]


def _leaks(value: str) -> list[str]:
    low = value.lower()
    return [c for c in CANARIES if c.lower() in low]


def _dump(ctx, table: str) -> str:
    with ctx.db.engine.connect() as conn:
        return " ".join(str(v) for row in conn.execute(text(f'SELECT * FROM "{table}"')) for v in row)


def _everything(ctx) -> str:
    return " ".join(_dump(ctx, t.name) for t in m.Base.metadata.sorted_tables)


def test_what_the_services_do_with_a_person_leaves_them_out_of_the_logs_and_the_audit(ctx, tmp_path):
    from lived_experience.exporting.lists import export_list
    from lived_experience.listing.query import list_page
    from lived_experience.members.contact import get_contact
    from lived_experience.recruitment.equality import get_answers
    from lived_experience.retention.erasure import erase_person
    from lived_experience.retention.subject_access import subject_access
    from lived_experience.search.service import search
    from lived_experience.security import accounts

    log_path = setup_logging(tmp_path / "logs")
    w = h.window(ctx, "Canary window", decided=None, closes=clock.today())
    pid = h.canary_person(ctx)
    app = h.application(ctx, pid, w, "received", statement=h.CANARY_STATEMENT)
    assert _leaks(_everything(ctx))  # the canaries really are in the database to begin with

    get_contact(ctx, pid)
    get_answers(ctx, app)
    assert list_page(ctx, "applicants", text=h.CANARY_LAST).rows
    search(ctx, h.CANARY_FIRST)
    search(ctx, h.CANARY_EMAIL)
    export_list(ctx, "applicants", tmp_path / "applicants.xlsx", text=h.CANARY_FIRST)
    # A folder named after the person: where the files went is audited, but not the name.
    sar = subject_access(ctx, pid, tmp_path / f"SAR {h.CANARY_FIRST} {h.CANARY_LAST} {h.CANARY_POSTCODE}")
    assert sar.xlsx_path.exists()
    # A sign-in with the person's email typed as the user name (a slip, or a guess).
    with pytest.raises(accounts.SignInFailed):
        accounts.authenticate(ctx, h.CANARY_EMAIL, h.CANARY_PHONE, delay=0)
    erase_person(ctx, pid)
    logging.getLogger("lived_experience.test").info("end of the canary run")
    for handler in logging.getLogger().handlers:
        handler.flush()

    audit_rows = _dump(ctx, "audit_event")
    for action in ("view", "export", "subject_access", "sign_in", "person.erase"):
        assert action in audit_rows  # each step really was audited...
    assert _leaks(audit_rows) == [], f"in the audit log: {_leaks(audit_rows)}"  # ...without the values
    log_text = log_path.read_text(encoding="utf-8")
    assert "end of the canary run" in log_text
    assert _leaks(log_text) == [], f"in the log file: {_leaks(log_text)}"
    assert _leaks(_everything(ctx)) == [], f"still in the database after erasure: {_leaks(_everything(ctx))}"
    with unit_of_work(ctx, readonly=True) as s:
        assert s.get(m.Person, pid).first_name == "Anonymised"


def test_where_a_file_went_is_recorded_without_personal_data():
    from lived_experience.security.audit import where

    assert where("/home/staff/Documents/SAR Ada Lovelace/subject-access-person-4.xlsx",
                 personal=["Ada", "Lovelace", None, "ada@example.org"]) == \
        "/home/staff/Documents/[personal]/subject-access-person-4.xlsx"
    assert where("/data/exports/ada@example.org.xlsx") == "/data/exports/[personal]"
    assert where("/data/LE1 7ZZ visit/list.xlsx") == "/data/[personal]/list.xlsx"
    assert where("/data/Call 07700 900123/list.xlsx") == "/data/[personal]/list.xlsx"
    assert where("/data/x/list.xlsx", personal=["+447700900123"]) == "/data/x/list.xlsx"
    assert where("/data/447700900123/list.xlsx", personal=["07700 900123"]) == "/data/[personal]/list.xlsx"
    assert where("/data/7700900123/list.xlsx", personal=["07700 900123"]) == "/data/[personal]/list.xlsx"
    # Ordinary folders stay as they are: the audit still says where the file went.
    assert where("/home/staff/Documents/Panel 2026/members.xlsx", personal=["Ada"]) == \
        "/home/staff/Documents/Panel 2026/members.xlsx"
