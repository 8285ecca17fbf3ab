"""Anonymous feedback: the link to the member is kept, readable only with
ANONYMOUS_SOURCE (audited), and never in any output: list JSON, workbooks, PDFs."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db.models import AuditEvent, FeedbackItem
from lived_experience.core import clock
from lived_experience.core.errors import PermissionDenied
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting.evidence import write_evidence
from lived_experience.exporting.lists import export_list
from lived_experience.exporting.you_said_we_did import write_you_said_we_did
from lived_experience.feedback import service as fb
from lived_experience.feedback.traceability import export_traceability
from lived_experience.listing.query import list_all
from lived_experience.listing.render import json_row
from tests.conftest import as_role
from tests.feedback.helpers import SECRET_NAME, item, make_cycle, make_member, make_service


@pytest.fixture
def anon(ctx):
    pid = make_member(ctx)
    sid = make_service(ctx)
    cid = make_cycle(ctx, sid)
    fid = item(ctx, summary="The complaints route is not clear", source_kind="member", person_id=pid,
               anonymous=True, quote="Nobody told me how to complain.", cycle_id=cid, rights=[12])
    return ctx, fid, pid, cid


def test_coordinator_and_viewer_cannot_read_the_link(anon):
    ctx, fid, pid, _ = anon
    for role in ("coordinator", "viewer"):
        other = as_role(ctx, role)
        d = fb.get_feedback(other, fid)
        assert d.person_id is None and d.person_name is None and d.source_hidden
        assert SECRET_NAME.split()[0] not in d.source_label
        assert not d.can_reveal_source
        with pytest.raises(PermissionDenied):
            fb.get_feedback(other, fid, reveal_source=True)
    with unit_of_work(ctx, readonly=True) as s:
        denied = s.scalars(select(AuditEvent.entity_id).where(AuditEvent.outcome == "denied")).all()
    assert denied == [fid, fid]


def test_permitted_staff_can_read_it_and_the_reading_is_audited(anon):
    ctx, fid, pid, _ = anon
    officer = as_role(ctx, "admin")  # holds ANONYMOUS_SOURCE
    plain = fb.get_feedback(officer, fid)
    assert plain.person_id is None and plain.can_reveal_source
    d = fb.get_feedback(officer, fid, reveal_source=True)
    assert d.person_id == pid and d.person_name == SECRET_NAME
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.execute(select(AuditEvent.fields, AuditEvent.subject_person_id, AuditEvent.detail)
                       .where(AuditEvent.action == "view", AuditEvent.entity == "feedback_item")).all()
    # Who looked, and at which item; not whose item it is (the audit log is an output too).
    assert len(ev) == 1 and ev[0].fields == "person_id" and ev[0].subject_person_id is None
    assert SECRET_NAME not in (ev[0].detail or "")


def test_no_audit_event_links_the_member_to_the_item(ctx):
    """Even an item given openly and made anonymous later leaves no trace of its member in
    the append-only audit log, nor in the audit list and its export."""
    pid = make_member(ctx)
    fid = item(ctx, summary="Told to wait for a call that never came", source_kind="member", person_id=pid)
    d = fb.get_feedback(ctx, fid)
    data = fb.FeedbackInput(summary=d.summary, source_kind="member", received_on=d.received_on, person_id=pid,
                            anonymous=True)
    fb.update_feedback(ctx, fid, data, d.version)
    fb.get_feedback(as_role(ctx, "admin"), fid, reveal_source=True)
    with unit_of_work(ctx, readonly=True) as s:
        linked = s.execute(select(AuditEvent.action, AuditEvent.entity_id)
                           .where(AuditEvent.subject_person_id == pid)).all()
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "feedback_item")).all()
    assert linked == []
    assert {"feedback.create", "feedback.change", "view"} <= set(actions)
    rows = list_all(ctx, "audit").rows
    assert rows and not [r for r in rows if r.get("entity") == "feedback_item" and r.get("subject_person_id")]


def test_subject_access_for_another_member_carries_nothing_of_it(anon, tmp_path):
    from lived_experience.retention.subject_access import subject_access

    ctx, fid, pid, _ = anon
    other = make_member(ctx, "Olwen", "Brightside")
    fb.get_feedback(as_role(ctx, "admin"), fid, reveal_source=True)
    res = subject_access(ctx, other, tmp_path)
    wb = openpyxl.load_workbook(res.xlsx_path)
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    pdf_text = " ".join(p.extract_text() for p in PdfReader(str(res.pdf_path)).pages)
    for text in (cells, pdf_text):
        assert "Olwen" in text
        assert "complaints route" not in text.lower() and "Nobody told me" not in text
        assert "Zebedee" not in text and "Quartermaine" not in text


def test_a_coordinator_editing_the_item_keeps_the_hidden_link(anon):
    ctx, fid, pid, _ = anon
    coord = as_role(ctx, "coordinator")
    d = fb.get_feedback(coord, fid)
    data = fb.FeedbackInput(summary="Complaints route unclear", source_kind=d.source_kind, received_on=d.received_on,
                            anonymous=True, person_id=None, rights=d.rights, cycle_id=d.cycle_id)
    fb.update_feedback(coord, fid, data, d.version)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.get(FeedbackItem, fid).person_id == pid
    d = fb.get_feedback(coord, fid)
    data.anonymous = False
    with pytest.raises(PermissionDenied, match="non-anonymous"):
        fb.update_feedback(coord, fid, data, d.version)


def test_never_in_list_json_or_any_export(anon, tmp_path):
    ctx, fid, pid, cid = anon
    page = list_all(ctx, "feedback")
    text = json.dumps([json_row(r, page.columns) for r in page.rows], default=str)
    assert "Zebedee" not in text and "Quartermaine" not in text
    assert all("person" not in k for r in page.rows for k in r)

    out = tmp_path / "feedback.xlsx"
    export_list(ctx, "feedback", out)
    trace = tmp_path / "trace.xlsx"
    export_traceability(ctx, trace, clock.today() - dt.timedelta(days=30), clock.today())
    for path in (out, trace):
        wb = openpyxl.load_workbook(path)
        cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
        assert "Zebedee" not in cells and "Quartermaine" not in cells

    y = write_you_said_we_did(ctx, tmp_path / "y.pdf", clock.today() - dt.timedelta(days=30), clock.today())
    e = write_evidence(ctx, cid, tmp_path / "e.pdf", include_quotes=True)
    for res in (y, e):
        text = " ".join(p.extract_text() for p in PdfReader(str(res.path)).pages)
        assert "Zebedee" not in text and "Quartermaine" not in text
    ytext = " ".join(p.extract_text() for p in PdfReader(str(y.path)).pages)
    # The anonymous item is only "Anonymous": it does not take a member pseudonym.
    assert "Anonymous;" in ytext and "Member A;" not in ytext
