"""The members' "You said, we did" PDF and the commissioning evidence PDF: checked by
their extracted text, and rendered to PNG pages (pdftoppm) to be looked at."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.exporting.evidence import write_evidence
from lived_experience.exporting.you_said_we_did import pseudonym, write_you_said_we_did
from lived_experience.listing.query import list_all


def _text(path) -> str:
    # Words as a reader sees them: line wrapping inside table cells does not matter.
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def _render(path, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert pngs and all(p.stat().st_size > 2000 for p in pngs)  # not blank pages
    return pngs


def _member_names(ctx) -> list[str]:
    return [r["name"] for r in list_all(ctx, "members").rows]


def test_you_said_we_did_names_nobody(demo_ctx, tmp_path):
    today = clock.today()
    res = write_you_said_we_did(demo_ctx, tmp_path / "ysw.pdf", today - dt.timedelta(days=365), today)
    assert res.items > 20 and res.pages >= 2
    text = _text(res.path)
    assert "You said, we did" in text and "OFFICIAL" in text and f"Page 1 of {res.pages}" in text
    assert "What changed" in text and "We could not do this" in text
    assert "Member A" in text and "Anonymous" in text
    for name in _member_names(demo_ctx):
        assert name not in text and name.split()[-1] + ";" not in text
    assert len(_render(res.path, tmp_path)) == res.pages
    meta = PdfReader(str(res.path)).metadata
    assert meta.title == "You said, we did" and "OFFICIAL" in meta.subject


def test_an_empty_period_says_so(demo_ctx, tmp_path):
    res = write_you_said_we_did(demo_ctx, tmp_path / "none.pdf", dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    assert res.items == 0 and "No feedback was received" in _text(res.path)
    with pytest.raises(UserError, match=".pdf"):
        write_you_said_we_did(demo_ctx, tmp_path / "x.docx", dt.date(2001, 1, 1), dt.date(2001, 1, 31))


def test_pseudonyms_run_on_past_z():
    assert [pseudonym(i) for i in (0, 1, 25, 26, 27)] == ["Member A", "Member B", "Member Z", "Member AA",
                                                          "Member AB"]


def test_the_evidence_pdf_for_one_cycle(demo_ctx, tmp_path):
    from lived_experience.commissioning.cycles import get_cycle

    cycle = get_cycle(demo_ctx, 1)
    res = write_evidence(demo_ctx, 1, tmp_path / "evidence.pdf")
    text = _text(res.path)
    assert "Commissioning evidence" in text and "OFFICIAL-SENSITIVE" in text
    assert "Feedback by theme" in text and "Feedback by Victims' Code right" in text
    assert "(current stage)" in text
    # Every right is listed, and the decisions show the feedback behind them.
    assert "12. To make a complaint" in text
    for d in cycle.decisions:
        assert d.summary[:30] in text
        for fid in d.feedback_ids:
            assert f"F-{fid}" in text
    for name in _member_names(demo_ctx):
        assert name not in text
    # Quotes only when asked for.
    assert "\u201c" not in text
    quoted = write_evidence(demo_ctx, 1, tmp_path / "quoted.pdf", include_quotes=True)
    assert "\u201c" in _text(quoted.path)
    _render(res.path, tmp_path)


def test_a_viewer_cannot_export(demo_ctx, tmp_path):
    from lived_experience.core.errors import PermissionDenied
    from tests.conftest import as_role

    with pytest.raises(PermissionDenied):
        write_evidence(as_role(demo_ctx, "viewer"), 1, tmp_path / "e.pdf")
    assert not (tmp_path / "e.pdf").exists()


def test_a_due_date_that_has_passed_is_not_promised_to_members():
    from types import SimpleNamespace

    from db.enums import FeedbackStatus as S
    from lived_experience.exporting.you_said_we_did import _we_did

    today = dt.date(2026, 11, 23)

    def item(due, response=None):
        return SimpleNamespace(response=response, response_due_on=due, not_actioned_reason=None)

    ahead, gone = dt.date(2026, 12, 1), dt.date(2026, 10, 1)
    assert _we_did(item(ahead), S.NEW, today) == "We are considering this. We will tell you what happens by 01/12/2026."
    assert "01/10/2026" not in _we_did(item(gone), S.UNDER_CONSIDERATION, today)
    assert "taking longer than we planned" in _we_did(item(gone), S.UNDER_CONSIDERATION, today)
    assert _we_did(item(None), S.NEW, today) == "We are considering this."
    agreed = _we_did(item(gone, "A named contact"), S.RESPONSE_AGREED, today)
    assert "01/10/2026" not in agreed and agreed.endswith("A named contact")
    assert "(due by 01/12/2026)" in _we_did(item(ahead, "A named contact"), S.RESPONSE_AGREED, today)


def _lowest_body_line(page) -> str:
    """The text nearest the foot of the page, above the footer (the bottom 20 mm) and below the
    header (the top 20 mm), by the text's position on the page."""
    height = float(page.mediabox.height)
    band = 20 * 72 / 25.4
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, _size):
        y = tm[5] * cm[3] + cm[5]  # the text's baseline, in page units from the bottom
        if text.strip() and band < y < height - band:
            found.append((y, text.strip()))

    page.extract_text(visitor_text=visit)
    return min(found)[1] if found else ""


def test_the_evidence_pdf_never_leaves_a_heading_at_the_foot_of_a_page(demo_ctx, tmp_path):
    """A section heading keeps with what is under it: it is never the last thing on a page."""
    headings = ("Feedback by theme", "Decisions and the feedback behind them", "Feedback by Victims' Code right",
                "Activities in each stage")
    for cycle_id in range(1, 7):
        for quotes in (False, True):
            res = write_evidence(demo_ctx, cycle_id, tmp_path / f"e{cycle_id}{quotes}.pdf", include_quotes=quotes)
            for n, page in enumerate(PdfReader(str(res.path)).pages[:-1], start=1):
                last = _lowest_body_line(page)
                assert last and not last.startswith(headings), (cycle_id, quotes, n, last)
