"""Canary values (a made-up person) never reach the log file or the audit log, even on error paths,
and are gone from the database file after erasure."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

import db.models as m
from db.engine import open_database, sqlite_url
from lived_experience.core.context import AppContext
from lived_experience.core.logs import setup_logging
from lived_experience.core.uow import unit_of_work
from tests.cli.helpers import run_cli
from tests.security import helpers as h

PW = "demo-password-1"
ADMIN = {"LIVED_EXPERIENCE_USER": "admin", "LIVED_EXPERIENCE_PASSWORD": PW}
CANARIES = [h.CANARY_FIRST, h.CANARY_LAST, h.CANARY_EMAIL, h.CANARY_PHONE, h.CANARY_POSTCODE, "Canary statement",
            "1632960417"]


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [c for c in CANARIES if c.lower() in low]


def _log_text(home) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (home / "logs").glob("*.log*"))


@pytest.mark.slow
def test_commands_touching_a_canary_person_never_log_them(tmp_path):
    home = tmp_path
    assert run_cli("demo", home=home, env={"LIVED_EXPERIENCE_PASSWORD": PW}).returncode == 0
    db_path = home / "data" / "lived-experience.sqlite3"
    ctx = AppContext(db=open_database(sqlite_url(db_path)))
    with unit_of_work(ctx, readonly=True) as s:
        from sqlalchemy import select

        window = s.scalar(select(m.RecruitmentWindow.id).order_by(m.RecruitmentWindow.id.desc()))
    pid = h.canary_person(ctx)
    h.application(ctx, pid, window, "received", statement=h.CANARY_STATEMENT)
    ctx.db.dispose()
    commands = [
        ("list", "applicants", "--search", h.CANARY_FIRST),
        ("list", "applicants", "--json", "--filter", f"name={h.CANARY_FIRST}"),  # an error path: no such filter
        ("list", "members", "--search", h.CANARY_EMAIL),
        ("subject-access", str(pid), "--output", str(tmp_path / "sar")),
        ("audit", "export", "--output", str(tmp_path / "audit.xlsx")),
        ("erase", str(pid), "--yes"),
        ("list", "applicants", "--search", h.CANARY_LAST),
    ]
    outputs = []
    for cmd in commands:
        done = run_cli(*cmd, home=home, env=ADMIN)
        outputs.append(done)
        assert "Traceback" not in done.stderr
    assert h.CANARY_FIRST in outputs[0].stdout  # the person really was there for the commands to touch
    assert outputs[1].returncode == 2
    # A bad password typed as the user name, and a failing sign-in, are logged without it.
    run_cli("list", "windows", home=home, env={"LIVED_EXPERIENCE_USER": h.CANARY_EMAIL,
                                               "LIVED_EXPERIENCE_PASSWORD": "x"})
    log = _log_text(home)
    assert "failed sign-in (no such account" in log  # the failure itself is logged
    assert _leaks(log) == [], f"in the log file: {_leaks(log)}"
    con = sqlite3.connect(db_path)
    audit_rows = " ".join(str(v) for row in con.execute("SELECT * FROM audit_event") for v in row)
    con.close()
    assert _leaks(audit_rows) == [], f"in the audit log: {_leaks(audit_rows)}"
    assert "person.erase" in audit_rows and "subject_access" in audit_rows
    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    assert _leaks(raw.decode("latin-1")) == [], "in the database file after erasure"


def test_an_error_quoting_a_value_is_logged_without_it(ctx, tmp_path):
    """PostgreSQL's own error text quotes the duplicate value; the log must not."""
    log_path = setup_logging(tmp_path / "logs")
    with unit_of_work(ctx) as s:
        s.add(m.Organisation(name=f"{h.CANARY_FIRST} {h.CANARY_LAST} Trust", kind="voluntary"))
    try:
        with unit_of_work(ctx) as s:
            s.add(m.Organisation(name=f"{h.CANARY_FIRST} {h.CANARY_LAST} Trust", kind="voluntary"))
    except IntegrityError as exc:
        assert ctx.db.is_sqlite or h.CANARY_FIRST in str(exc)  # PostgreSQL really does quote it
        logging.getLogger("lived_experience.test").exception("saving an organisation failed")
    logging.getLogger("lived_experience.test").warning("contact %s on %s at %s", h.CANARY_EMAIL, h.CANARY_PHONE,
                                                      h.CANARY_POSTCODE)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "saving an organisation failed" in text and "IntegrityError" in text
    assert _leaks(text) == [], _leaks(text)
