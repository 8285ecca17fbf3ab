"""The Police and Crime Panel report: the figures for a period, the shape of the Panel's papers, OFFICIAL,
no names; and the two report commands."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from lived_experience.core.errors import PermissionDenied, ValidationError
from lived_experience.reporting.panel_report import export_panel_report, gather
from tests.conftest import as_role
from tests.dashboard.records import Records, at

START, END = dt.date(2026, 4, 1), dt.date(2026, 9, 30)


@pytest.fixture
def period(ctx):
    r = Records(ctx)
    w = r.window("Refresh 2026", opens=dt.date(2026, 3, 1), closes=dt.date(2026, 4, 30))
    r.window("Old window", opens=dt.date(2024, 1, 1), closes=dt.date(2024, 2, 1))
    members = []
    for i in range(4):
        p = r.person(f"Secretname{i}", "Member")
        app = r.application(p, w, "member", received=at(dt.date(2026, 4, 2 + i)))
        r.term(p, dt.date(2026, 6, 1), dt.date(2027, 11, 30), application_id=app)
        members.append(p)
    r.application(r.person("Late", "Applicant"), w, "received", received=at(dt.date(2026, 10, 5)))
    # DBS: three cleared and in date at the end of the period; one only requested.
    for p in members[:3]:
        r.dbs(p, dt.date(2026, 5, 1), issued=dt.date(2026, 5, 10), decision="clear")
    r.dbs(members[3], dt.date(2026, 9, 1))
    held = r.meeting("Victims' voice forum", at(dt.date(2026, 7, 1), 18), status="held")
    for i, p in enumerate(members):
        r.invitation(held, person_id=p, attendance="attended" if i < 3 else "apologies")
    r.meeting("Cancelled forum", at(dt.date(2026, 8, 1)), status="cancelled")
    r.meeting("Next year", at(dt.date(2027, 1, 1)), status="planned")
    theme = r.theme_id("Communication and updates")
    svc = r.service("ISVA service", dt.date(2027, 3, 31))
    from db import models as m

    for i in range(3):
        f = r.feedback(f"Updates come too late {i}", dt.date(2026, 7, 1), status="reported_back",
                       response="Monthly updates are now in the contract", anonymous=i == 0, person_id=members[0])
        r.link(m.FeedbackTheme(feedback_id=f, theme_id=theme))
        r.link(m.FeedbackService(feedback_id=f, service_id=svc))
    r.feedback("Outside the period", dt.date(2026, 11, 1))
    return r


def test_the_figures_for_the_period(ctx, period):
    f = gather(as_role(ctx, "coordinator"), START, END)
    assert [w.name for w in f.windows] == ["Refresh 2026"]
    assert f.windows[0].applications == 5 and f.windows[0].appointed == 4
    assert f.applications_received == 4
    assert f.terms_started == 4 and f.members_at_end == 4
    assert len(f.meetings) == 1 and f.meetings_cancelled == 1
    line = f.meetings[0]
    assert (line.members_invited, line.members_attended) == (4, 3)
    assert f.feedback_received == 3 and f.feedback_anonymous == 1 and f.feedback_responded == 3
    assert f.feedback_by_theme == [("Communication and updates", 3)]
    assert f.feedback_by_service == [("ISVA service", 3)]
    # "You said, we did": one line per distinct thing said.
    assert len(f.highlights) == 3 and all(did == "Monthly updates are now in the contract"
                                          for _said, did in f.highlights)
    assert f.dbs_included and (f.dbs_cleared, f.dbs_members) == (3, 4)


def test_dbs_figures_only_for_roles_that_may_see_dbs_status(ctx, period):
    f = gather(as_role(ctx, "viewer"), START, END)
    assert not f.dbs_included


def test_a_period_must_make_sense(ctx):
    with pytest.raises(ValidationError, match="end on or after"):
        gather(ctx, END, START)


def test_the_pdf_has_the_shape_of_a_panel_report_and_names_nobody(ctx, period, tmp_path):
    out = tmp_path / "panel.pdf"
    export_panel_report(as_role(ctx, "coordinator"), START, END, out)
    pages = PdfReader(out).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # lines wrapped: compare words
    for words in ("Police and Crime Panel for Leicester, Leicestershire and Rutland", "Report Date",
                  "Report Author", "Security Classification", "Purpose of Report", "Request of the Panel",
                  "Summary", "Recruitment", "Membership", "Meetings and attendance", "Feedback received",
                  "You said, we did", "DBS compliance", "End of Report", "Table One", "OFFICIAL",
                  "01/04/2026 to 30/09/2026", "3 of 4 active members"):
        assert words in text, words
    assert "Secretname" not in text and "Late Applicant" not in text
    assert "1." in text and "2." in text  # numbered paragraphs
    assert PdfReader(out).metadata.subject.startswith("OFFICIAL")


def test_table_headings_break_between_words_and_the_footer_keeps_its_date(ctx, period, tmp_path):
    out = tmp_path / "panel.pdf"
    export_panel_report(as_role(ctx, "coordinator"), START, END, out)
    raw = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    lines = raw.splitlines()
    # A heading split inside a word reads "Application" then "s" on the next line.
    for word in ("Applications", "Appointed", "invited", "attended", "Stakeholders"):
        assert any(word in line for line in lines), word
    assert not any(line.strip() in ("s", "d", "ed", "ders attended") for line in lines), lines
    footers = [line for line in lines if "produced" in line]
    assert len(footers) == len(PdfReader(out).pages)
    assert all(re.search(r"produced \d{2}/\d{2}/\d{4} \d{2}:\d{2}", line) for line in footers), footers


def test_exporting_needs_the_export_permission(ctx, period, tmp_path):
    with pytest.raises(PermissionDenied):
        export_panel_report(as_role(ctx, "viewer"), START, END, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


# -- the commands -------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LIVED_EXPERIENCE_HOME=str(home))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=env,
                          timeout=180, cwd=ROOT)


def test_the_report_commands(demo_template, tmp_path):
    import shutil

    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, db)
    out = tmp_path / "panel.pdf"
    done = run_cli("--database", str(db), "export-panel-report", "--from", "01/01/2026", "--to", "31/12/2026",
                   "--output", str(out), home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert "Police and Crime Panel report for 01/01/2026 to 31/12/2026 written to" in done.stdout
    assert out.exists() and len(PdfReader(out).pages) >= 3
    rep = tmp_path / "rep.pdf"
    done = run_cli("--database", str(db), "export-representativeness", "--output", str(rep), "--window", "2",
                   home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert "Refresh" in PdfReader(rep).pages[0].extract_text() or rep.stat().st_size > 10_000
    for bad, message in (
        (["export-panel-report", "--from", "31/12/2026", "--to", "01/01/2026", "--output", str(out)],
         "must end on or after"),
        (["export-panel-report", "--from", "32/01/2026", "--to", "01/02/2026", "--output", str(out)],
         "is not a date in the form dd/mm/yyyy"),
        (["export-panel-report", "--from", "01/01/2026", "--to", "01/02/2026", "--output", str(tmp_path / "a.txt")],
         ".pdf"),
        (["export-representativeness", "--output", str(rep), "--window", "999"], "no recruitment window"),
    ):
        done = run_cli("--database", str(db), *bad, home=tmp_path / "home")
        assert done.returncode == 2 and message in done.stderr, (bad, done.stderr)
        assert "Traceback" not in done.stderr
