"""Reading what offices send: Forms and Google exports, CSV in every encoding, odd layouts."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from lived_experience.importing.headers import auto_map
from lived_experience.importing.readers import open_source
from lived_experience.importing.safety import SpreadsheetRefused
from lived_experience.importing.validate import RowValidator, validate_rows
from tests.importing import files as F


def _validated(path):
    with open_source(path) as src:
        mapping = auto_map(src.headers, [c for _n, c in src.sample()])
        results = validate_rows(RowValidator(mapping, date1904=src.date1904), src.rows())
        return src, mapping, results


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_forms_export_columns_in_any_order_map_by_meaning(xlsx_backend, tmp_path, seed):
    order = F.FORMS_META + F.QUESTIONS
    random.Random(seed).shuffle(order)
    path = F.forms_xlsx(tmp_path / "form.xlsx", 5, order=order)
    src, mapping, results = _validated(path)
    fields = {c.header: c.field for c in mapping.columns}
    assert fields["What is your full name?"] == "full_name"
    assert fields["Email address"] == "email"
    assert fields["Which age group are you in?"] == "age_band"
    assert fields["ID"] == "external_ref" and fields["Completion time"] == "received_at"
    # Forms' own Name/Email columns hold 'anonymous': not used.
    assert fields["Name"] is None and fields["Email"] is None
    assert "Microsoft Forms" in " ".join(mapping.notes)
    first = results[0]
    assert (first.values["first_name"], first.values["last_name"]) == ("Zoë", "Abara")
    assert first.values["email"] == "applicant0@example.org"
    assert first.values["phone"] == "+441134960000"
    assert [r.number for r in results] == [2, 3, 4, 5, 6]
    assert not any(r.has_error for r in results)


def test_google_forms_csv(tmp_path):
    headers, rows = F.google_rows(4)
    path = F.write_csv(tmp_path / "responses.csv", headers, rows)
    src, mapping, results = _validated(path)
    assert mapping.columns[0].field == "received_at" and mapping.columns[1].field == "email"
    assert "Google Forms" in " ".join(mapping.notes)
    assert results[0].values["received_at"] == dt.datetime(2025, 3, 1, 9, 12, tzinfo=dt.UTC)
    assert results[0].values["date_of_birth"] == dt.date(1930, 1, 1)


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", False), ("utf-8", True), ("utf-16", True), ("utf-16-le", False), ("utf-16-be", True),
    ("cp1252", False),
])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_every_encoding_and_delimiter(tmp_path, encoding, bom, delimiter):
    headers = ["First name", "Surname", "Email", "Postcode", "Notes"]
    rows = [["Zoë", "Müller", "zoe@example.org", "LE1 6ZZ", "Paid £5; said \"thanks\", twice"],
            ["Siân", "O'Brien", "sian@example.org", "le2 3ab", ""]]
    path = F.write_csv(tmp_path / "people.csv", headers, rows, encoding=encoding, bom=bom, delimiter=delimiter)
    src, _mapping, results = _validated(path)
    assert src.headers == headers
    assert results[0].values["first_name"] == "Zoë" and results[0].values["last_name"] == "Müller"
    assert results[0].values["notes"] == "Paid £5; said \"thanks\", twice"
    assert results[1].values["postcode"] == "LE2 3AB"
    names = {"\t": "tabs", ";": "semicolons", ",": "commas"}
    assert names[delimiter] in src.notes[0]


def test_csv_with_excel_sep_line_and_quoted_leading_zero(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text('sep=;\r\nName;Phone\r\nZoë Smith;="07700900123"\r\n', encoding="utf-8-sig")
    src, _m, results = _validated(path)
    assert src.headers == ["Name", "Phone"]
    assert results[0].number == 2  # Excel hides the sep= line
    assert results[0].values["phone"] == "+447700900123"


def test_workbook_1904_date_system(xlsx_backend, tmp_path):
    dob = dt.date(1980, 5, 17)
    rows = [["Zoë Smith", dob, 29357]]  # a bare number in a date column is an Excel serial
    p1904 = F.write_xlsx(tmp_path / "mac.xlsx", ["Name", "Date of birth", "Date received"], rows, date1904=True,
                         number_formats={"B": "dd/mm/yyyy"})
    p1900 = F.write_xlsx(tmp_path / "win.xlsx", ["Name", "Date of birth", "Date received"], rows,
                         number_formats={"B": "dd/mm/yyyy"})
    src, _m, r1904 = _validated(p1904)
    assert src.date1904 and "1904 date system" in " ".join(src.notes)
    _s, _m, r1900 = _validated(p1900)
    assert r1904[0].values["date_of_birth"] == dob == r1900[0].values["date_of_birth"]
    # The same serial number is 4 years and a day later in the 1904 system.
    from lived_experience.core.clock import to_london

    got1904 = to_london(r1904[0].values["received_at"]).date()
    got1900 = to_london(r1900[0].values["received_at"]).date()
    assert got1900 == dt.date(1899, 12, 30) + dt.timedelta(days=29357)
    assert (got1904 - got1900).days == 1462
    assert any("read as an Excel date" in m for m in r1904[0].messages())


def test_header_not_on_row_one_blank_rows_and_merged_cells(xlsx_backend, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Applicants"
    ws["A1"] = "Applications received - OFFICIAL-SENSITIVE"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Name", "Email", "Postcode", "How did you hear about us?"])  # row 3
    ws.append(["Zoë Smith", "zoe@example.org", "LE1 6ZZ", "Social media"])  # row 4
    ws.append([])  # row 5: blank
    ws.append(["Amara Begum", "amara@example.org", "LE2 3AB", "OPCC website"])  # row 6
    ws.append(["Owen Walsh", "owen@example.org", "LE3 9QP", None])  # row 7: merged from row 6
    ws.merge_cells("D6:D7")
    wb.save(tmp_path / "merged.xlsx")
    src, mapping, results = _validated(tmp_path / "merged.xlsx")
    assert src.header_row == 3
    assert [r.number for r in results] == [4, 6, 7]
    assert results[2].values["how_heard"] == "opcc_website"  # filled down from the merged cell
    notes = " ".join(src.notes)
    assert "row 3" in notes and "Merged cells" in notes


def test_the_sheet_with_the_data_is_chosen_even_when_hidden(xlsx_backend, tmp_path):
    headers = ["Full name", "Email", "Postcode"]
    path = F.write_xlsx(tmp_path / "hidden.xlsx", ["Please read"], [["Fill in the other sheet"]], sheet="Notes",
                        extra_sheets=[("Responses", [headers, ["Zoë Smith", "z@example.org", "LE1 6ZZ"]], "hidden"),
                                      ("Lists", [["Yes"], ["No"]], "veryHidden")])
    src, _m, results = _validated(path)
    assert src.sheet_name == "Responses"
    assert "hidden in Excel" in src.notes[0] and "'Notes'" in src.notes[0]
    assert results[0].values["email"] == "z@example.org"


def test_visible_data_sheet_beats_hidden_lists(xlsx_backend, tmp_path):
    headers = ["Full name", "Email", "Postcode"]
    path = F.write_xlsx(tmp_path / "lists.xlsx", headers, [["Zoë Smith", "z@example.org", "LE1 6ZZ"]],
                        sheet="Form1", extra_sheets=[("Lookups", [["Name", "Email"], ["x", "y"]], "hidden")])
    src, _m, _r = _validated(path)
    assert src.sheet_name == "Form1"


def test_text_is_never_evaluated_as_a_formula(xlsx_backend, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Email", "Notes"])
    ws.append(["Zoë Smith", "z@example.org", "=1+1"])  # openpyxl writes this as a formula, no cached value
    ws.cell(row=3, column=1, value="Amara Begum")
    ws.cell(row=3, column=2, value="a@example.org")
    ws.cell(row=3, column=3, value="=HYPERLINK(\"http://x\",\"Click\")").data_type = "s"
    ws.append(["@SUM(A1:A2)", "b@example.org", "-1+1"])
    ws.cell(row=4, column=1).data_type = "s"
    ws.cell(row=4, column=3).data_type = "s"
    wb.save(tmp_path / "f.xlsx")
    csv_path = F.write_csv(tmp_path / "f.csv", ["Name", "Notes"], [["Zoë Smith", "=cmd|' /C calc'!A0"]])
    _s, _m, results = _validated(tmp_path / "f.xlsx")
    assert "notes" not in results[0].values  # a formula with no saved value reads as blank, never computed
    assert results[1].values["notes"] == '=HYPERLINK("http://x","Click")'
    assert results[2].values["first_name"] == "@SUM(A1:A2)" and results[2].values["notes"] == "-1+1"
    _s, _m, results = _validated(csv_path)
    assert results[0].values["notes"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("make,code", [
    (lambda p: F.write_xlsx(p / "e.xlsx", [], []), "empty_sheet"),
    (lambda p: F.write_xlsx(p / "h.xlsx", ["Name", "Email"], []), "no_rows"),
    (lambda p: F.write_xlsx(p / "d.xlsx", ["zoe@example.org", "07700900123"], [["a@example.org", "07700900124"]]),
     "no_header"),
    (lambda p: (p / "e.csv").write_bytes(b"\r\n\r\n"), "empty_sheet"),
    (lambda p: (p / "z.csv").write_bytes(b""), "empty_file"),
])
def test_sheets_without_rows_or_headers_get_their_own_message(xlsx_backend, tmp_path, make, code):
    make(tmp_path)
    path = next(p for p in tmp_path.iterdir())
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(path)
    assert info.value.code == code
    assert "\n" not in info.value.message and "Traceback" not in info.value.message


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_over_the_row_limit_is_refused_before_reading_rows(xlsx_backend, tmp_path, kind):
    headers = ["Name", "Email"]
    rows = [[f"Person {i}", f"p{i}@example.org"] for i in range(30)]
    path = (F.write_xlsx(tmp_path / "big.xlsx", headers, rows) if kind == "xlsx"
            else F.write_csv(tmp_path / "big.csv", headers, rows))
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(path, max_rows=20)
    assert info.value.code == "too_many_rows"
    # A workbook is counted only up to one past the limit (a million-row sheet is refused as soon as that is
    # known); a CSV's rows are estimated from its size.
    assert ("more than 20 rows" if kind == "xlsx" else "30 rows") in info.value.message
    assert "at most 20" in info.value.message
    assert len(list(open_source(path, max_rows=30).rows())) == 30


def test_libreoffice_style_inline_strings_and_numbers_typed_as_text(xlsx_backend, tmp_path):
    # write_only openpyxl writes inline strings, as LibreOffice and Numbers do.
    path = F.forms_xlsx(tmp_path / "lo.xlsx", 3, write_only=True)
    _s, _m, results = _validated(path)
    assert len(results) == 3 and results[2].values["email"] == "applicant2@example.org"


def test_excel_written_workbook_with_shared_strings_and_dimension(xlsx_backend, tmp_path):
    path = F.forms_excel_like(tmp_path / "excel.xlsx", 40)
    src, mapping, results = _validated(path)
    assert src.estimated_rows == 40 and len(results) == 40
    assert results[39].values["email"] == "applicant39@example.org"
    assert results[0].values["received_at"] == dt.datetime(2025, 3, 1, 9, 12, tzinfo=dt.UTC)
    assert results[0].values["date_of_birth"] == dt.date(1930, 1, 1)
    assert not any(r.has_error for r in results)
