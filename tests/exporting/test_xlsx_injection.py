"""No text can become a formula in a workbook the app writes (CSV/formula injection).

A property test: any text in, re-read with openpyxl, no formula cell out, and
the text that comes back is the text that went in (less characters XML cannot
hold)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lived_experience.exporting import xlsx

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
