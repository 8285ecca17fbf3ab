"""Subject access: everything held about a person, as a marked workbook and a readable PDF."""

from __future__ import annotations

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

import db.models as m
from lived_experience.core.errors import PermissionDenied
from lived_experience.core.uow import unit_of_work
from lived_experience.retention.subject_access import subject_access
from lived_experience.security import audit
from tests.conftest import as_role
from tests.security import helpers as h
from tests.security.test_erasure import _everything_about_the_canary


def test_subject_access_exports_every_table_and_the_audit_events(ctx, tmp_path):
    pid = _everything_about_the_canary(ctx)
    other = h.person(ctx, "Someone", "Else")
    audit.record_now(ctx, "view", entity="person", entity_id=pid, subject_person_id=pid, fields=["email"])
    audit.record_now(ctx, "view", entity="person", entity_id=other, subject_person_id=other, fields=["email"])
    res = subject_access(ctx, pid, tmp_path / "sar")
    assert res.xlsx_path.exists() and res.pdf_path.exists()
    for table in ("person", "application", "stage_change", "application_experience", "equality_monitoring",
                  "membership_term", "dbs_check", "expense_claim", "invitation", "feedback_item", "quiet_period"):
        assert res.counts.get(table) == 1, table
    assert res.counts["audit_event"] == 1

    wb = openpyxl.load_workbook(res.xlsx_path)
    assert wb.properties.keywords == "OFFICIAL-SENSITIVE"
    for ws in wb.worksheets:
        assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text, ws.title
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    for value in (h.CANARY_EMAIL, h.CANARY_STATEMENT, "Canary quote", "CANARY-DBS-REF", "Canary window",
                  "Canary disclosure detail", "Canary heritage detail"):
        assert value in cells, value
    assert "Someone" not in cells and "someone.else@example.org" not in cells

    reader = pypdf.PdfReader(res.pdf_path)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert reader.metadata.subject.startswith("OFFICIAL-SENSITIVE")
    assert all("OFFICIAL-SENSITIVE" in p.extract_text() for p in reader.pages)
    assert h.CANARY_EMAIL in text and "Canary quote" in text and "Subject access request" in text
    assert "Someone" not in text

    with unit_of_work(ctx, readonly=True) as s:
        ev = s.execute(select(m.AuditEvent).where(m.AuditEvent.action == "subject_access")).scalar_one()
        assert ev.subject_person_id == pid and str(res.xlsx_path) in ev.detail and "@" not in (ev.fields or "")


def test_subject_access_is_for_administrators_only(ctx, tmp_path):
    pid = h.person(ctx)
    for role in ("coordinator", "dbs_officer", "viewer"):
        with pytest.raises(PermissionDenied):
            subject_access(as_role(ctx, role), pid, tmp_path / "sar")
    assert not (tmp_path / "sar").exists()


def test_the_pdf_reads_as_words_not_codes(demo_ctx, tmp_path):
    """A person reading their own file sees stages, answers and staff by name, not stored codes."""
    from db.enums import Stage

    staff = as_role(demo_ctx, "coordinator", "pat")  # a member of staff who moved the application on
    with unit_of_work(demo_ctx) as s:
        change = s.scalars(select(m.StageChange).join(m.Application)
                           .join(m.EqualityMonitoring, m.EqualityMonitoring.application_id == m.Application.id)
                           .where(m.StageChange.to_stage == Stage.ELIGIBILITY_CHECKED.value).limit(1)).one()
        change.changed_by_id = staff.actor.id
        pid = s.get(m.Application, change.application_id).person_id
    res = subject_access(demo_ctx, pid, tmp_path / "sar")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(res.pdf_path).pages).split())
    assert "Eligibility checked" in text and "eligibility_checked" not in text
    assert staff.actor.display_name in text  # who moved the application on, by name
    assert "prefer_not_to_say" not in text and "_" not in text.replace("subject_access", "")
    # The workbook keeps the stored values and the numbers, for completeness.
    wb = openpyxl.load_workbook(res.xlsx_path)
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert "eligibility_checked" in cells
