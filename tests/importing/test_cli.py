"""The command-line contract of ``import-applicants``, run as a real process."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.helpers import run_cli
from tests.importing import files as F

KEYS = {"file", "sha256", "rows", "imported", "updated", "unchanged", "duplicates", "needs_review", "rejected"}
WINDOW = "Spring recruitment 2025"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A database with one recruitment window, made the way the app makes it."""
    from db.engine import open_database, sqlite_url
    from db.migrate import ensure_schema
    from lived_experience.core.context import AppContext
    from tests.importing.helpers import add_window

    home = tmp_path_factory.mktemp("import-cli")
    db_path = home / "data" / "lived-experience.sqlite3"
    db_path.parent.mkdir(parents=True)
    db = open_database(sqlite_url(db_path))
    ensure_schema(db)
    add_window(AppContext(db=db), WINDOW)
    db.dispose()
    return home


def _counts(home) -> dict[str, int]:
    con = sqlite3.connect(home / "data" / "lived-experience.sqlite3")
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'search_fts%'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_import_prints_one_json_object_and_reimport_adds_nothing(home, tmp_path):
    path = F.forms_xlsx(tmp_path / "form.xlsx", 5)
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == KEYS
    assert result["file"] == "form.xlsx" and len(result["sha256"]) == 64
    assert (result["rows"], result["imported"], result["rejected"]) == (5, 5, [])
    again = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home)
    assert json.loads(again.stdout)["unchanged"] == 5 and json.loads(again.stdout)["imported"] == 0


def test_rejected_rows_still_exit_zero_and_go_to_the_report(home, tmp_path):
    path = F.write_csv(tmp_path / "mixed.csv", ["Name", "Email", "Postcode"],
                       [["Amara Begum", "amara@example.org", "LE2 3AB"], ["Kwame", "kwame@", "LE1 6ZZ"],
                        ["", "x@example.org", "LE1 6ZZ"]])
    report = tmp_path / "fix.xlsx"
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", "--report", str(report),
                   home=home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["imported"] == 1
    assert [r["row"] for r in result["rejected"]] == [3, 4]
    assert all(isinstance(r["reasons"], list) and r["reasons"] for r in result["rejected"])
    import openpyxl

    assert openpyxl.load_workbook(report)["Rows to fix"].max_row == 3


def test_dry_run_changes_nothing(home, tmp_path):
    before = _counts(home)
    path = F.forms_xlsx(tmp_path / "dry.xlsx", 3, start=500)
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--dry-run", home=home)
    assert done.returncode == 0, done.stderr
    assert "dry run, nothing imported" in done.stdout and "3 new" in done.stdout
    assert _counts(home) == before


def test_strict_refuses_the_whole_file(home, tmp_path):
    before = _counts(home)
    path = F.write_csv(tmp_path / "strict.csv", ["Name", "Email"], [["Owen Walsh", "owen@example.org"],
                                                                    ["Nadia", "nadia@"]])
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--strict", "--json", home=home)
    assert done.returncode == 2
    assert "strict mode rejects the whole file" in _one_line(done.stderr)
    assert _counts(home) == before


@pytest.mark.parametrize("make,words", [
    (lambda p: F.encrypted_xlsx(p / "locked.xlsx"), "password-protected"),
    (lambda p: F.zip_bomb_xlsx(p / "bomb.xlsx", megabytes=40), "not safe to open"),
    (lambda p: (p / "notes.xlsx").write_text("hello", encoding="utf-8") and p / "notes.xlsx",
     "This is not a spreadsheet that can be read"),
    (lambda p: p / "missing.csv", "There is no file at"),
])
def test_a_refused_file_is_one_line_and_exit_two(home, tmp_path, make, words):
    before = _counts(home)
    path = make(tmp_path)
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home)
    assert done.returncode == 2
    assert words in _one_line(done.stderr)
    assert done.stdout == ""
    assert _counts(home) == before


def test_unknown_window_and_profile(home, tmp_path):
    path = F.forms_xlsx(tmp_path / "f.xlsx", 1)
    done = run_cli("import-applicants", str(path), "--window", "Autumn 1999", home=home)
    assert done.returncode == 2 and "There is no recruitment window 'Autumn 1999'" in _one_line(done.stderr)
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--profile", "Nope", home=home)
    assert done.returncode == 2 and "no import profile called 'Nope'" in _one_line(done.stderr)


def test_help_documents_the_options(home):
    done = run_cli("import-applicants", "--help", home=home)
    assert done.returncode == 0
    for option in ("--window", "--dry-run", "--strict", "--json", "--profile", "--report", "needs_review"):
        assert option in done.stdout


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_and_old_excel_workbooks_import(home, tmp_path, kind):
    import datetime as dt

    rows = [["Name", "Email", "Date of birth", "Postcode"],
            [f"Amara {kind.upper()}", f"amara.{kind}@example.org", dt.date(1985, 2, 14), "LE2 3AB"],
            [f"Declan {kind.upper()}", f"declan.{kind}@example.org", dt.date(1979, 4, 3), "LE1 6ZZ"]]
    path = (F.write_ods(tmp_path / "applicants.ods", [("Responses", rows, False)]) if kind == "ods"
            else F.write_xls(tmp_path / "applicants.xls", [("Responses", rows, False, [])]))
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["rows"], result["imported"], result["rejected"]) == (2, 2, [])
    again = json.loads(run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home).stdout)
    assert (again["imported"], again["unchanged"]) == (0, 2)


def test_a_list_of_names_only_imported_twice_adds_nothing_the_second_time(home, tmp_path):
    """No email, phone, date of birth, date or ID to recognise a row by: its answers are its identity."""
    path = F.write_csv(tmp_path / "names.csv", ["Name", "Postcode"],
                       [["Fatima Begum", "LE4 7AB"], ["Kwame Quinn", "LE67 1AB"]])
    first = json.loads(run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home).stdout)
    assert first["imported"] == 2
    before = _counts(home)
    again = json.loads(run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home).stdout)
    assert (again["imported"], again["unchanged"]) == (0, 2)
    after = _counts(home)
    assert after["application"] == before["application"] and after["person"] == before["person"]


@pytest.mark.parametrize("make", [
    lambda p: F.far_value_xlsx(p / "far.xlsx"),  # python-calamine would have ended the process
    lambda p: F.write_parts(p / "strict.xlsx", [("Sheet1", F.sheet_xml(F.producer_rows(), ns=F.STRICT_MAIN_NS))],
                            strict=True),
])
def test_files_from_the_corpus_that_used_to_fail_are_read(home, tmp_path, make):
    done = run_cli("import-applicants", str(make(tmp_path)), "--window", WINDOW, "--json", "--dry-run", home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 3


@pytest.mark.parametrize("make,words", [
    (lambda p: F.write_ods(p / "locked.ods", [("S", [["Name"], ["A B"]], False)], encrypted=True),
     "password-protected"),
    (lambda p: F.billion_laughs_xlsx(p / "lol.xlsx"), "not safe to open"),
    (lambda p: (p / "scan.xlsx").write_bytes(b"%PDF-1.4\n%%EOF\n") and p / "scan.xlsx", "a PDF document"),
    (lambda p: (p / "empty.csv").write_bytes(b"") == 0 and p / "empty.csv", "This file is empty"),
    (lambda p: F.write_csv(p / "headings.csv", ["Name", "Email"], []), "no rows of answers"),
    (lambda p: p, "is a folder"),
])
def test_more_refused_files_are_one_line_and_exit_two(home, tmp_path, make, words):
    before = _counts(home)
    done = run_cli("import-applicants", str(make(tmp_path)), "--window", WINDOW, "--json", home=home)
    assert done.returncode == 2, done.stderr
    assert words in _one_line(done.stderr)
    assert done.stdout == ""
    assert _counts(home) == before


def test_a_strict_dry_run_answers_as_the_strict_import_would(home, tmp_path):
    path = F.write_csv(tmp_path / "check.csv", ["Name", "Email"], [["Owen Walsh", "owen.w@example.org"],
                                                                   ["Nadia", "nadia@"]])
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--strict", "--dry-run", "--json", home=home)
    assert done.returncode == 2
    assert "strict mode would reject the whole file (dry run" in _one_line(done.stderr)


def test_the_report_goes_into_a_folder_or_is_refused_in_one_line(home, tmp_path):
    path = F.write_csv(tmp_path / "mixed list.csv", ["Name", "Email"], [["Kwame", "kwame@"]])
    folder = tmp_path / "reports"
    folder.mkdir()
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--dry-run", "--report", str(folder), home=home)
    assert done.returncode == 0, done.stderr
    assert (folder / "mixed list - rows to fix.xlsx").exists()
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder", encoding="utf-8")
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--dry-run", "--report",
                   str(blocked / "fix.xlsx"), home=home)
    assert done.returncode == 2
    assert "The report cannot be saved" in _one_line(done.stderr)


def test_a_panic_inside_python_calamine_is_still_one_line(home, tmp_path):
    """A damaged .xls makes python-calamine's Rust code panic: Rust prints the panic (and, with
    RUST_BACKTRACE set, a backtrace) on stderr. The person sees one line."""
    import datetime as dt
    import struct

    book = F.biff8_workbook([("S", [["Name", "Date of birth"], ["Zoë Smith", dt.date(1985, 2, 14)]], False, [])])
    at = book.find(struct.pack("<HHHHH", 0x0203, 14, 1, 1, 1))  # the date cell: a NUMBER with a date format
    book = book[:at] + struct.pack("<HHHHHd", 0x0203, 14, 1, 1, 1, -1e15) + book[at + 18:]
    path = tmp_path / "panic.xls"
    path.write_bytes(F.cfb_file("Workbook", book))
    done = run_cli("import-applicants", str(path), "--window", WINDOW, "--json", home=home,
                   env={"RUST_BACKTRACE": "1"})
    assert done.returncode == 2
    assert "old Excel 97-2003 workbook (.xls) that cannot be read" in _one_line(done.stderr)
    assert "panicked" not in done.stderr
