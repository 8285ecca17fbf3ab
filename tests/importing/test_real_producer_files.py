"""Files LibreOffice Calc wrote itself (see real/README.md): read, checked and imported as an office would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lived_experience.importing import validate as V
from lived_experience.importing.readers import open_source
from tests.importing.helpers import import_file, preview_file

REAL = Path(__file__).parent / "real"


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_hand_typed_sheet_saved_by_libreoffice(ctx, window_id, suffix):
    preview = preview_file(ctx, REAL / f"libreoffice-typed.{suffix}", window_id)
    by_row = {r.number: r for r in preview.rows}
    assert sorted(by_row) == [2, 3, 4, 5]  # the rows as Calc and Excel number them
    zoe, siobhan = by_row[2].values, by_row[3].values
    assert (zoe["first_name"], zoe["last_name"], zoe["postcode"]) == ("Zoë", "Smith", "LE1 6ZZ")
    assert zoe["date_of_birth"] == dt.date(1985, 4, 3)  # typed 03/04/1985 with UK settings
    assert zoe["how_heard"] == "social_media"  # "Facebook"
    # Calc stored 07700900456 as the number 7700900456: the 0 is put back, and the row says so.
    assert siobhan["phone"] == "+447700900456"
    assert any("lost its leading 0" in note for note in by_row[3].messages(V.NOTE))
    assert (siobhan["last_name"], siobhan["date_of_birth"]) == ("O'Brien", dt.date(1970, 12, 25))
    assert by_row[4].status == by_row[5].status == V.REJECTED
    assert by_row[4].reasons == ["Email: 'not-an-email' is not an email address that can be used"]
    assert by_row[5].reasons == ["Date of birth: '31/13/1980' is not a real date: write it as dd/mm/yyyy"]
    counts = preview.counts()
    assert (counts.rows, counts.imported, counts.rejected) == (4, 2, 2)


@pytest.mark.parametrize("name", ["libreoffice-forms.xlsx", "libreoffice-forms.xls",
                                  "libreoffice-forms-semicolon.csv"])
def test_a_forms_export_saved_again_by_libreoffice_imports_once(ctx, window_id, name):
    path = REAL / name
    with open_source(path) as source:
        assert source.headers[:5] == ["ID", "Start time", "Completion time", "Email", "Name"]
    preview, outcome = import_file(ctx, path, window_id)
    assert (outcome.counts.rows, outcome.counts.imported, outcome.counts.rejected) == (25, 25, 0)
    first = min(preview.rows, key=lambda r: r.number)
    assert (first.number, first.values["first_name"], first.values["phone"]) == (2, "Zoë", "+441134960000")
    assert first.values["received_at"] == dt.datetime(2025, 3, 1, 9, 12, tzinfo=dt.UTC)  # GMT in March
    _again, outcome = import_file(ctx, path, window_id)
    assert (outcome.counts.imported, outcome.counts.unchanged) == (0, 25)


@pytest.mark.parametrize("name", ["libreoffice-password.xls", "libreoffice-password.ods"])
def test_files_saved_with_a_password_to_open_are_named_as_such(tmp_path, name):
    """An encrypted .xls keeps its OLE2 layout (only its records are encrypted), so it looks like any
    other .xls until the record after the first BOF: it used to get the "cannot be read" message."""
    from lived_experience.importing.safety import SpreadsheetRefused

    with pytest.raises(SpreadsheetRefused) as info:
        open_source(REAL / name)
    assert info.value.message == ("This file is password-protected: open it in Excel and save a copy without "
                                  "a password.")


@pytest.mark.parametrize("suffix,streaming", [("xlsx", False), ("xlsx", True), ("xls", False), ("ods", False)])
def test_a_workbook_laid_out_the_hard_way_by_libreoffice(ctx, window_id, monkeypatch, suffix, streaming):
    """Notes first, headings in row 3 of the second sheet, a hidden sheet, 1904 dates, a merged cell."""
    if streaming:  # the reader large .xlsx files get
        from lived_experience.importing import xlsx_stream

        monkeypatch.setattr(xlsx_stream, "STREAM_ABOVE_BYTES", 0)
    preview = preview_file(ctx, REAL / f"libreoffice-tricky.{suffix}", window_id)
    assert (preview.sheet_name, preview.header_row) == ("Responses", 3)
    assert any("'Read me', 'Old' (hidden)" in note for note in preview.notes)
    by_row = {r.number: r for r in preview.rows}
    assert sorted(by_row) == [4, 5, 6, 7]
    born = {n: r.values["date_of_birth"] for n, r in by_row.items()}
    assert born == {4: dt.date(1985, 4, 3), 5: dt.date(1979, 12, 25), 6: dt.date(2001, 2, 28),
                    7: dt.date(1990, 7, 1)}  # four years and a day out if the 1904 system were missed
    assert by_row[5].values["how_heard"] == "social_media"  # the merged "Facebook" cell covers row 5
    assert [by_row[n].values["phone"] for n in (4, 5, 6)] == ["+447700900123", "+447700900124", "+441164960123"]
    assert by_row[7].status == V.REJECTED
    assert by_row[7].reasons == ["Last name: '=HYPERLINK(\"http://x\")' is a spreadsheet formula, not a name"]
