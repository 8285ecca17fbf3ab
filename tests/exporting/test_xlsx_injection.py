"""No text can become a formula in a workbook the app writes (CSV/formula injection).

Property tests: any text in, re-read with openpyxl, no formula cell out, and the
text that comes back is the text that went in (less characters XML cannot hold).
Once at the level of the sheet writer, and once end to end: text saved through
the app's own services, exported by ``export_list`` (what ``export-list`` and
"Export to Excel" run)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lived_experience.core import clock
from lived_experience.exporting import xlsx
from lived_experience.exporting.lists import export_list
from lived_experience.feedback import service as fb

TRIGGERS = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=HYPERLINK(", "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|"])
hostile = st.one_of(
    st.text(),
    st.builds(lambda a, b: a + b, TRIGGERS, st.text()),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1),  # includes surrogates' neighbours, U+FFFE...
)


def _expected(text: str) -> str:
    return xlsx.clean_text(text)


def _roundtrip(tmp_path, values, kind="text"):
    wb = xlsx.new_workbook(title="T", marking="OFFICIAL", author="test")
    cols = [xlsx.SheetColumn("Value", kind)]
    xlsx.add_table_sheet(wb, "Values", cols, [[v] for v in values], marking="OFFICIAL", first=True)
    path = tmp_path / "t.xlsx"
    xlsx.save(wb, path)
    return openpyxl.load_workbook(path).worksheets[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(hostile, min_size=1, max_size=8))
def test_any_text_in_no_formula_out(tmp_path, values):
    ws = _roundtrip(tmp_path, values)
    for row, value in enumerate(values, start=2):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type != "f", f"{value!r} became a formula"
        expected = _expected(value)
        if expected == "":
            assert cell.value in (None, "")
        else:
            assert isinstance(cell.value, str)
            assert cell.value == expected
            if expected[0] in xlsx.FORMULA_TRIGGERS:
                # Excel's own "this is text" mark, so editing the cell cannot turn it into a formula.
                assert cell.quotePrefix


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile, kind=st.sampled_from(["int", "money", "date", "float", "bool", "datetime"]))
def test_text_in_a_number_or_date_column_stays_text(tmp_path, value, kind):
    ws = _roundtrip(tmp_path, [value], kind)
    cell = ws.cell(row=2, column=1)
    assert cell.data_type != "f"


@pytest.mark.parametrize("value", ["=1+1", "+44 7700 900123", "-1", "@SUM(A1)", "\t=1", "\r=1", "=" * 40000])
def test_known_attacks_stay_text(tmp_path, value):
    ws = _roundtrip(tmp_path, [value])
    cell = ws.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == xlsx.clean_text(value)
    assert len(cell.value) <= xlsx.CELL_MAX


def test_headers_are_text_too_and_table_has_filters_and_frozen_header(tmp_path):
    wb = xlsx.new_workbook(title="T", marking="OFFICIAL", author="test")
    cols = [xlsx.SheetColumn("=Name"), xlsx.SheetColumn("=Name"), xlsx.SheetColumn("When", "date")]
    xlsx.add_table_sheet(wb, "Values", cols, [["a", "b", dt.date(2026, 11, 23)]], marking="OFFICIAL", first=True)
    path = tmp_path / "h.xlsx"
    xlsx.save(wb, path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["A1"].data_type == "s" and ws["A1"].value == "=Name"
    # Excel refuses a table whose headers repeat: the second is made unique.
    assert ws["B1"].value != ws["A1"].value
    assert ws.freeze_panes == "A2"
    table = next(iter(ws.tables.values()))
    assert table.ref == "A1:C2" and table.autoFilter is not None
    assert ws["C2"].value == dt.datetime(2026, 11, 23) and ws["C2"].number_format == xlsx.DATE_FORMAT


# -- end to end: typed into the app, exported by the app's exporter -------------------------------
@pytest.fixture
def one_item(sqlite_ctx):
    fid = fb.create_feedback(sqlite_ctx, fb.FeedbackInput(summary="placeholder", source_kind="written_submission",
                                                          received_on=clock.today()))
    return sqlite_ctx, fid


def _exported_row(ctx, fid, path) -> dict:
    export_list(ctx, "feedback", path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == fid:
            return {h: c for h, c in zip(headers, row, strict=True)}
    raise AssertionError(f"feedback {fid} is not in the export")


def _all_cells(path):
    return [c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary=hostile, response=hostile)
def test_any_text_saved_in_the_app_is_exported_as_text(one_item, tmp_path, summary, response):
    ctx, fid = one_item
    assume(summary.strip() and len(summary.strip()) <= fb.SUMMARY_MAX)
    d = fb.get_feedback(ctx, fid)
    fb.update_feedback(ctx, fid, fb.FeedbackInput(summary=summary, source_kind=d.source_kind,
                                                  received_on=d.received_on), d.version)
    d = fb.get_feedback(ctx, fid)
    fb.update_response(ctx, fid, d.version, response=response, owner_name="Commissioning Manager",
                       due_on=clock.today())
    stored = fb.get_feedback(ctx, fid)
    path = tmp_path / "feedback.xlsx"
    row = _exported_row(ctx, fid, path)
    assert all(c.data_type != "f" for c in _all_cells(path)), "a cell became a formula"
    for header, value in (("Summary", stored.summary), ("We did", stored.response)):
        cell = row[header]
        expected = xlsx.clean_text(value) if value else ""
        if not expected:
            assert cell.value in (None, "")
            continue
        assert cell.data_type == "s" and cell.value == expected
        if expected.lstrip().startswith(xlsx.FORMULA_TRIGGERS):
            assert cell.quotePrefix


@pytest.mark.parametrize("attack", ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(1,1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_names_in_every_list_column_stay_text(sqlite_ctx, tmp_path, attack):
    """Theme, service and meeting names reach the feedback export through other tables."""
    from tests.feedback.helpers import make_meeting, make_service

    ctx = sqlite_ctx
    tid = fb.add_theme(ctx, f"{attack} theme")
    sid = make_service(ctx, name=f"{attack} service")
    mid = make_meeting(ctx, title=f"{attack} forum")
    fid = fb.create_feedback(ctx, fb.FeedbackInput(summary=f"{attack} said", source_kind="meeting", meeting_id=mid,
                                                   received_on=clock.today(), theme_ids=[tid], service_ids=[sid]))
    path = tmp_path / "f.xlsx"
    row = _exported_row(ctx, fid, path)
    assert all(c.data_type != "f" for c in _all_cells(path))
    for header in ("Summary", "Themes", "Services", "Meeting"):
        cell = row[header]
        assert cell.data_type == "s" and xlsx.clean_text(attack).strip() in cell.value
        assert cell.quotePrefix == cell.value.lstrip().startswith(xlsx.FORMULA_TRIGGERS)
    export_list(ctx, "services", tmp_path / "s.xlsx")
    assert all(c.data_type != "f" for c in _all_cells(tmp_path / "s.xlsx"))
