"""Spreadsheets as other producers write them, reproduced byte for byte (see files.py).

Each case was first seen in a corpus of real files: LibreOffice 7.4's own .xlsx, .ods, .xls and .csv,
openpyxl's workbooks, and hand-made parts shaped like Numbers and Google Sheets (inline strings, no
shared strings), the OpenXML SDK (``x:`` prefixed elements) and Strict OOXML.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from lived_experience.importing import safety
from lived_experience.importing.headers import auto_map
from lived_experience.importing.readers import open_source
from lived_experience.importing.safety import SpreadsheetRefused
from lived_experience.importing.validate import RowValidator, validate_rows
from tests.importing import files as F


def _read(path):
    with open_source(path) as src:
        mapping = auto_map(src.headers, [c for _n, c in src.sample()])
        results = validate_rows(RowValidator(mapping, date1904=src.date1904), src.rows())
        return src, results


def _the_three_producer_rows(results):
    assert [r.number for r in results] == [2, 3, 4]
    zoe, siobhan, maryam = (r.values for r in results)
    assert (zoe["first_name"], zoe["last_name"], zoe["email"]) == ("Zoë", "Inline", "zoe.i@example.org")
    assert zoe["date_of_birth"] == dt.date(1985, 2, 14)
    assert zoe["received_at"] == dt.datetime(2025, 4, 3, 11, 0, tzinfo=dt.UTC)  # 12:00 BST
    assert siobhan["phone"] == "+447700900602"  # stored as a number: the 0 is put back
    assert any("leading 0" in m for m in results[1].messages())
    assert siobhan["date_of_birth"] == dt.date(1990, 7, 23)
    assert (maryam["first_name"], maryam["last_name"]) == ("مريم", "أحمد")
    assert maryam["date_of_birth"] == dt.date(1987, 2, 9)
    assert not any(r.has_error for r in results)


@pytest.mark.parametrize("shape", ["inline strings (Numbers, Google Sheets)", "x: prefix (OpenXML SDK)",
                                   "Strict OOXML", "absolute part names"])
def test_workbooks_from_other_producers(xlsx_backend, tmp_path, shape):
    kwargs = {"inline strings (Numbers, Google Sheets)": {}, "x: prefix (OpenXML SDK)": {"prefix": "x"},
              "Strict OOXML": {"strict": True}, "absolute part names": {"absolute_targets": True}}[shape]
    src, results = _read(F.producer_xlsx(tmp_path / "producer.xlsx", **kwargs))
    assert src.sheet_name == "Sheet 1 - Table 1"
    _the_three_producer_rows(results)


def test_cell_types_cached_formula_results_errors_and_iso_dates(xlsx_backend, tmp_path):
    rows = [
        (1, list(enumerate(["Name", "Email", "Phone", "Date of birth", "Safe to phone", "Postcode", "Notes"]))),
        (2, [(0, "Err Person"), (1, ('t="e"', "<v>#N/A</v>")), (2, ('t="e"', "<f>VLOOKUP(A2,X:Y,2,0)</f><v>#N/A</v>")),
             (3, ('t="d"', "<v>1985-02-14T00:00:00</v>")), (4, ('t="b"', "<v>1</v>")), (5, "LE1 6ZZ"),
             (6, ('t="str"', '<f>CONCAT("a","b")</f><v>ab</v>'))]),
        (3, [(0, ('t="str"', '<f>A2&amp;" Jr"</f><v>Err Person Jr</v>')), (1, "jr@example.org"),
             (2, ("", "<f>7700900000+700</f><v>7700900700</v>")), (3, ('t="d"', "<v>1990-07-23</v>")),
             (4, ('t="b"', "<v>0</v>")), (5, ("", '<f>LEFT("LE1 6ZZ",7)</f>')), (6, "=SUM(1,2)")]),
    ]
    src, results = _read(F.write_parts(tmp_path / "types.xlsx", [("Sheet1", F.sheet_xml(rows))]))
    first, second = (r.values for r in results)
    assert "email" not in first and "phone" not in first  # #N/A is not an address or a number
    assert first["date_of_birth"] == dt.date(1985, 2, 14) and first["safe_to_phone"] is True
    assert first["notes"] == "ab"  # the formula's cached result, never the formula
    assert (second["first_name"], second["last_name"]) == ("Err Person", "Jr")
    assert second["phone"] == "+447700900700" and second["safe_to_phone"] is False
    assert "postcode" not in second  # a formula with no cached result is empty: nothing is calculated
    assert second["notes"] == "=SUM(1,2)"  # text that looks like a formula stays text


def test_1904_serials_styled_and_bare(xlsx_backend, tmp_path):
    rows = [(1, list(enumerate(["Name", "Date of birth", "Postcode"]))),
            (2, [(0, "Mac Styled"), (1, ('s="1"', "<v>29630</v>")), (2, "LE1 6ZZ")]),
            (3, [(0, "Mac Bare"), (1, 29630), (2, "LE1 6ZZ")])]
    mac = F.write_parts(tmp_path / "mac.xlsx", [("Sheet1", F.sheet_xml(rows))], date1904=True)
    pc = F.write_parts(tmp_path / "pc.xlsx", [("Sheet1", F.sheet_xml(rows))])
    src, results = _read(mac)
    assert src.date1904 and [r.values["date_of_birth"] for r in results] == [dt.date(1985, 2, 14)] * 2
    _src, results = _read(pc)
    assert [r.values["date_of_birth"] for r in results] == [dt.date(1981, 2, 13)] * 2


def test_rows_and_cells_without_references_and_rich_text(xlsx_backend, tmp_path):
    norefs = (f'<?xml version="1.0"?><worksheet xmlns="{F.MAIN_NS}"><sheetData><row><c t="inlineStr"><is><t>Name</t>'
              '</is></c><c t="inlineStr"><is><t>Email</t></is></c></row><row><c t="inlineStr"><is><t>No Ref</t></is></c>'
              '<c t="inlineStr"><is><t>noref@example.org</t></is></c></row></sheetData></worksheet>')
    _src, results = _read(F.write_parts(tmp_path / "norefs.xlsx", [("Sheet1", norefs)]))
    assert [(r.number, r.values["email"]) for r in results] == [(2, "noref@example.org")]
    sst = (f'<?xml version="1.0"?><sst xmlns="{F.MAIN_NS}" count="4" uniqueCount="4"><si><t>Name</t></si>'
           '<si><t>Email</t></si><si><r><rPr><b/></rPr><t>Rich</t></r><r><t xml:space="preserve"> Text</t></r>'
           '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>rich@example.org</t></si></sst>')
    sheet = F.sheet_xml([(1, [(0, ('t="s"', "<v>0</v>")), (1, ('t="s"', "<v>1</v>"))]),
                         (2, [(0, ('t="s"', "<v>2</v>")), (1, ('t="s"', "<v>3</v>"))])])
    _src, results = _read(F.write_parts(tmp_path / "rich.xlsx", [("Sheet1", sheet)], shared=sst))
    assert (results[0].values["first_name"], results[0].values["last_name"]) == ("Rich", "Text")


def test_the_first_used_row_and_column_keep_their_excel_numbers(xlsx_backend, tmp_path):
    rows = [(5, [(2, "Name"), (3, "Email")]), (6, [(2, "Late Start"), (3, "late@example.org")]),
            (9, [(2, "Later Still"), (3, "later@example.org")])]
    src, results = _read(F.write_parts(tmp_path / "late.xlsx", [("Sheet1", F.sheet_xml(rows))]))
    assert src.header_row == 5 and src.headers == ["Name", "Email"]
    assert [r.number for r in results] == [6, 9]


def test_a_lying_dimension_does_not_hide_columns(xlsx_backend, tmp_path):
    sheet = F.sheet_xml(F.producer_rows(), dimension="C1:D2")
    _src, results = _read(F.write_parts(tmp_path / "lying.xlsx", [("Sheet1", sheet)]))
    _the_three_producer_rows(results)


def test_a_value_in_the_last_cell_of_the_sheet_is_read_without_a_giant_grid(tmp_path):
    """python-calamine would ask for a 1,048,576 x 16,384 grid (half a terabyte) and end the process:
    run in a child process so that a regression cannot take the test run down with it."""
    path = F.far_value_xlsx(tmp_path / "far.xlsx")
    facts = safety.check_zip(path.read_bytes())
    assert facts.dense_cells() > safety.CALAMINE_MAX_CELLS
    # Peak memory from VmHWM, which belongs to this process's own address space: ru_maxrss
    # survives exec, so a child spawned by a big test worker would report the worker's peak.
    code = ("import re; from lived_experience.importing.readers import open_source\n"
            f"s = open_source({str(path)!r}); rows = list(s.rows())\n"
            "try: hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
            "except OSError: hwm = 0  # not Linux: the test still shows the read survives\n"
            "print(*[n for n, _c in rows], hwm // 1024)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    *numbers, peak_mb = (int(x) for x in done.stdout.split())
    assert numbers == [2, 3, 4]
    assert peak_mb < 400


@pytest.mark.parametrize("where", [(1048576, 0), (10, 16383), (1048576, 16383)])
def test_stray_cells_far_away_are_measured_before_python_calamine_sees_them(tmp_path, where):
    facts = safety.check_zip(F.far_value_xlsx(tmp_path / "far.xlsx", where).read_bytes())
    rows, cols = facts.farthest()
    assert rows >= where[0] and cols >= where[1] + 1


def test_an_ordinary_export_stays_on_the_fast_reader(tmp_path):
    facts = safety.check_zip(F.forms_excel_like(tmp_path / "forms.xlsx", 300).read_bytes())
    assert facts.farthest() == (301, 26)  # 23 columns fit in A..Z
    assert facts.dense_cells() < safety.CALAMINE_MAX_CELLS


def test_formatting_down_to_the_last_row_is_quick(xlsx_backend, tmp_path):
    path = F.formatted_to_the_end_xlsx(tmp_path / "formatted.xlsx")
    started = time.perf_counter()
    src, results = _read(path)
    assert time.perf_counter() - started < 30
    assert src.estimated_rows == 3 and src.rows_exact
    _the_three_producer_rows(results)


def test_a_header_row_16384_columns_wide_is_matched_quickly(tmp_path):
    headers = F.PRODUCER_HEADERS + [f"Question {i}: anything else?" for i in range(6, 16384)]
    rows = [(1, list(enumerate(headers))), (2, list(enumerate(["Wide Person", "wide@example.org"])))]
    path = F.write_parts(tmp_path / "wide.xlsx", [("Sheet1", F.sheet_xml(rows))])
    started = time.perf_counter()
    src, results = _read(path)
    assert time.perf_counter() - started < 20
    assert src.width == 16384 and results[0].values["email"] == "wide@example.org"


def test_headings_far_to_the_right_of_the_table_are_left_out(xlsx_backend, tmp_path):
    rows = [(1, [(0, "Name"), (1, "Email"), (500, "Note to self")]), (2, [(0, "Owen Walsh"), (1, "owen@example.org")])]
    src, _results = _read(F.write_parts(tmp_path / "stray.xlsx", [("Sheet1", F.sheet_xml(rows))]))
    assert src.headers == ["Name", "Email"]
    assert any("far to the right" in n and "column SG" in n for n in src.notes)


# -- OpenDocument (.ods) --------------------------------------------------------------------------
def test_a_libreoffice_ods_is_read(tmp_path):
    rows = [["Name", "Email", "Phone", "Date of birth", "Safe to phone", "Date received"],
            ["Zoë Smith", "zoe@example.org", 7700900123, dt.date(1985, 2, 14), True, dt.datetime(2025, 4, 3, 9, 15)],
            [],
            ["王芳", "wang@example.org", "0116 496 0001", "23/07/1990", False, "03/04/2025 10:20"]]
    path = F.write_ods(tmp_path / "applicants.ods", [("Lookups", [["Name"], ["Hidden Person"]], True),
                                                      ("Responses", rows, False)])
    src, results = _read(path)
    assert src.kind == "ods" and src.sheet_name == "Responses" and "hidden" in src.notes[0]
    assert [r.number for r in results] == [2, 4]
    zoe, wang = (r.values for r in results)
    assert zoe["phone"] == "+447700900123" and zoe["date_of_birth"] == dt.date(1985, 2, 14)
    assert zoe["safe_to_phone"] is True and zoe["received_at"] == dt.datetime(2025, 4, 3, 8, 15, tzinfo=dt.UTC)
    assert wang["first_name"] == "王芳" and wang["date_of_birth"] == dt.date(1990, 7, 23)


def test_merged_cells_in_an_ods_are_filled_down_as_in_excel(tmp_path):
    """python-calamine reads no merged cells from .ods: a "How did you hear" merged over two applicants
    left the second one blank. The title merged across the top is skipped, as in Excel."""
    rows = [[F.OdsMerged("Applications received - OFFICIAL-SENSITIVE", across=4), F.OdsCovered(), F.OdsCovered(),
             F.OdsCovered()],
            [],
            ["Name", "Email", "Postcode", "How did you hear about us?"],
            ["Zoë Smith", "zoe@example.org", "LE1 6ZZ", "Social media"],
            ["Amara Begum", "amara@example.org", "LE2 3AB", F.OdsMerged("OPCC website", down=3)],
            ["Owen Walsh", "owen@example.org", "LE3 9QP", F.OdsCovered()],
            ["Priya Shah", "priya@example.org", "LE5 1AA", F.OdsCovered()],
            ["Tom Reid", "tom@example.org", "LE4 2BB", None]]
    src, results = _read(F.write_ods(tmp_path / "merged.ods", [("Responses", rows, False)]))
    assert src.header_row == 3
    heard = [r.values.get("how_heard") for r in results]
    assert heard == ["social_media", "opcc_website", "opcc_website", "opcc_website", None], heard
    assert "Merged cells" in " ".join(src.notes)


def test_an_ods_repeating_a_value_over_the_whole_sheet_is_refused_quickly(tmp_path):
    bomb = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
            "</table:table-row>")
    path = F.write_ods(tmp_path / "repeat.ods", [("Sheet1", [["Name", "Email"], ["Ods Person", "o@example.org"]],
                                                    False)], raw_rows=bomb)
    started = time.perf_counter()
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(path)
    assert time.perf_counter() - started < 10
    assert info.value.code == "too_spread_out" and "row 1,000,002" in info.value.message


def test_an_encrypted_ods_and_a_text_document_are_refused(tmp_path):
    table = [("Sheet1", [["Name"], ["X Y"]], False)]
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(F.write_ods(tmp_path / "locked.ods", table, encrypted=True))
    assert info.value.code == "password_protected"
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(F.write_ods(tmp_path / "letter.ods", table, mimetype="application/vnd.oasis.opendocument.text"))
    assert info.value.code == "not_a_spreadsheet" and "not a spreadsheet" in info.value.message


# -- Excel 97-2003 (.xls) -------------------------------------------------------------------------
@pytest.mark.parametrize("date1904", [False, True])
def test_an_old_excel_workbook_is_read(tmp_path, date1904):
    rows = [["Applicants"], [], ["Name", "Email", "Phone", "Date of birth", "How did you hear about us?"],
            ["Zoë Smith", "zoe@example.org", 7700900123, dt.date(1985, 2, 14), "OPCC website"],
            ["Łukasz Nowak", "lukasz@example.org", "07700 900124", dt.date(1979, 4, 3), ""],
            ["Aoife Walsh", "aoife@example.org", "07700 900125", dt.date(1990, 7, 23), ""]]
    path = F.write_xls(tmp_path / "old.xls", [("Hidden", [["Name"], ["Not This One"]], True, []),
                                               ("Applicants", rows, False, [(3, 5, 4, 4)])], date1904=date1904)
    src, results = _read(path)
    assert src.kind == "xls" and src.sheet_name == "Applicants" and src.header_row == 3
    assert [r.number for r in results] == [4, 5, 6]
    assert [r.values["date_of_birth"] for r in results] == [dt.date(1985, 2, 14), dt.date(1979, 4, 3),
                                                            dt.date(1990, 7, 23)]
    assert results[0].values["phone"] == "+447700900123"
    assert {r.values.get("how_heard") for r in results} == {results[0].values["how_heard"]}  # merged down


def test_a_damaged_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "damaged.xls"
    path.write_bytes(F.cfb_file("Workbook", b"\x09\x08\x10\x00" + bytes(range(256)) * 20))
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(path)
    assert info.value.code == "old_xls" and ".xlsx" in info.value.message


# -- what the rows say ----------------------------------------------------------------------------
def test_form_timestamps_over_a_few_days_are_not_flagged_as_doubtful(tmp_path):
    """A Forms export in CSV over 3-11 April: every date could be read month first, but only day first
    do they fall within a few days of each other (and in the order the answers arrived)."""
    headers = ["ID", "Start time", "Completion time", "Name", "Email"]
    rows = [[str(i), f"{d:02d}/04/2025 09:{i:02d}:00", f"{d:02d}/04/2025 09:{i + 5:02d}:00", f"Person {chr(65 + i)} Test",
             f"p{i}@example.org"] for i, d in enumerate([3, 3, 4, 7, 9, 11], start=1)]
    _src, results = _read(F.write_csv(tmp_path / "forms.csv", headers, rows))
    assert [r.values["received_at"].date() for r in results] == [dt.date(2025, 4, d) for d in (3, 3, 4, 7, 9, 11)]
    assert not any("check it" in m for r in results for m in r.messages())


def test_us_timestamps_from_google_forms_are_read_month_first(tmp_path):
    """Over 3-14 April, US style: 4/14 settles it; without it every value would be flagged."""
    days = (3, 3, 5, 7, 10, 14)
    rows = [[f"4/{d}/2025 {9 + i}:15:02", f"p{i}@example.org", f"Person {chr(65 + i)} Test"] for i, d in enumerate(days)]
    _src, results = _read(F.write_csv(tmp_path / "google.csv", ["Timestamp", "Email Address", "Name"], rows))
    assert [r.values["received_at"].date() for r in results] == [dt.date(2025, 4, d) for d in days]
    assert not any("check it" in m for r in results for m in r.messages())


def test_us_timestamps_rising_either_way_are_flagged_not_switched(tmp_path):
    days = (3, 3, 5, 7, 10, 11)
    rows = [[f"4/{d}/2025 {9 + i}:15:02", f"p{i}@example.org", f"Person {chr(65 + i)} Test"] for i, d in enumerate(days)]
    _src, results = _read(F.write_csv(tmp_path / "google.csv", ["Timestamp", "Email Address", "Name"], rows))
    assert all(any("check it" in m for m in r.messages()) for r in results)
    assert "'4/3/2025 9:15:02' was read as 4 March 2025 (day first, the UK way)" in " ".join(results[0].messages())



def test_a_few_rows_or_dates_without_times_are_still_flagged(tmp_path):
    """Three timestamps rise by chance too often, and dates of birth in rising order prove nothing."""
    rows = [[f"0{d}/04/2025 09:00", f"Person {chr(65 + d)} Test", f"0{d}/0{d + 1}/1980"] for d in (3, 5, 7)]
    _src, results = _read(F.write_csv(tmp_path / "few.csv", ["Timestamp", "Name", "Date of birth"], rows))
    assert all(sum("check it" in m for m in r.messages()) == 2 for r in results)


def test_a_us_date_among_uk_ones_says_what_it_could_be(tmp_path):
    rows = [["Amy Adams", "25/12/1980"], ["Bob Brown", "12/13/1980"]]
    _src, results = _read(F.write_csv(tmp_path / "dob.csv", ["Name", "Date of birth"], rows))
    assert results[1].has_error
    assert "'12/13/1980' could only be 13 December 1980, written month first" in " ".join(results[1].reasons)


def test_a_phone_column_formatted_as_dates_is_not_guessed_back(tmp_path):
    rows = [["Amy Adams", "32767-12-31"], ["Bob Brown", "07700 900123"]]
    _src, results = _read(F.write_csv(tmp_path / "phones.csv", ["Name", "Phone"], rows))
    assert results[0].has_error and "is a date, not a phone number" in results[0].reasons[0]
    assert results[1].values["phone"] == "+447700900123"


def test_formula_text_in_a_name_is_rejected_not_split(tmp_path):
    rows = [['=HYPERLINK("http://x.test","click")', "f@example.org"], ["Owen Walsh", "owen@example.org"]]
    _src, results = _read(F.write_csv(tmp_path / "formula.csv", ["Name", "Email"], rows))
    assert results[0].has_error and "is a spreadsheet formula, not a name" in results[0].reasons[0]
    assert not results[1].has_error


# -- CSV as other programs save it ------------------------------------------------------------------
_NAMES = [["Zoë Smith", "zoe@example.org", "I’m keen – café"], ["Siobhán Ní Bhriain", "sio@example.org", "“Yes”"]]


def test_excel_for_mac_csv_in_mac_roman_with_cr_line_endings(tmp_path):
    path = F.write_csv(tmp_path / "mac.csv", ["Name", "Email", "Notes"], _NAMES, encoding="mac_roman")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    src, results = _read(path)
    assert "Mac Roman" in src.notes[0]
    assert [r.values["first_name"] for r in results] == ["Zoë", "Siobhán Ní"]
    assert results[0].values["notes"] == "I’m keen – café"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-32"])
def test_windows_1252_and_utf_32(tmp_path, encoding):
    path = F.write_csv(tmp_path / "names.csv", ["Name", "Email", "Notes"], _NAMES, encoding=encoding)
    _src, results = _read(path)
    assert [r.values["first_name"] for r in results] == ["Zoë", "Siobhán Ní"]
    assert results[1].values["notes"] == "“Yes”"


def test_a_utf8_file_with_a_few_windows_1252_characters(tmp_path):
    """Two exports pasted together, or one name typed in an older program: each part is read right."""
    path = F.write_csv(tmp_path / "mixed.csv", ["Name", "Email"], [["Zoë Smith", "zoe@example.org"]])
    path.write_bytes(path.read_bytes() + "Renée Dubois,renee@example.org\r\n".encode("cp1252"))
    src, results = _read(path)
    assert [r.values["first_name"] for r in results] == ["Zoë", "Renée"]
    assert "some characters in Windows-1252" in src.notes[0]


def test_libreoffice_csv_with_us_short_dates_is_read_month_first(tmp_path):
    """LibreOffice (en-US) saves dates as 02/14/85 and times as 04/03/25 09:15 AM."""
    rows = [["04/03/25 09:15 AM", "Zoë Smith", "02/14/85"], ["04/05/25 10:20 AM", "Owen Walsh", "07/23/90"],
            ["04/11/25 02:05 PM", "Priya Patel", "31/02/1980"]]
    _src, results = _read(F.write_csv(tmp_path / "lo.csv", ["Date of birth", "Name", "Completion time"],
                                      [list(reversed(r)) for r in rows]))
    assert [r.values.get("date_of_birth") for r in results[:2]] == [dt.date(1985, 2, 14), dt.date(1990, 7, 23)]
    assert results[2].has_error and "not a real date" in results[2].reasons[0]


def test_a_value_python_calamine_cannot_convert_falls_back_to_the_streaming_reader(tmp_path):
    """python-calamine panics on a huge negative number styled as a date (Excel shows #####)."""
    rows = [(1, [(0, "Name"), (1, "Date of birth")]), (2, [(0, "Zoë Smith"), (1, ('s="1"', "<v>-1e15</v>"))]),
            (3, [(0, "Owen Walsh"), (1, ('s="1"', "<v>31092</v>"))])]
    _src, results = _read(F.write_parts(tmp_path / "negative.xlsx", [("Sheet1", F.sheet_xml(rows))]))
    assert results[0].has_error and "is not a date" in results[0].reasons[0]
    assert results[1].values["date_of_birth"] == dt.date(1985, 2, 14)
