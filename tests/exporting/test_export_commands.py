"""``export-list`` for every list, and the feedback export commands, run as the real program."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat

import openpyxl
import pytest
from pypdf import PdfReader

from lived_experience.cli.commands.export_list import KINDS
from lived_experience.exporting import xlsx
from lived_experience.listing import registry
from tests.cli.helpers import run_cli, run_json

DATE_TEXT = re.compile(r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}( \d\d:\d\d)?")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("export-home")
    done = run_cli("demo", "--seed", "3", home=home)
    assert done.returncode == 0, done.stderr
    return home


def _plain_failure(done, *words):
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    for w in words:
        assert w in done.stderr, done.stderr


def test_the_help_names_every_list_in_the_app(home):
    assert sorted(KINDS) == registry.kinds()
    done = run_cli("export-list", "--help", home=home)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for kind in registry.kinds():
        assert kind in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_export_list_writes_a_proper_table(home, tmp_path, kind):
    out = tmp_path / f"{kind}.xlsx"
    done = run_cli("export-list", kind, "--output", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "Id" and ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    if ws.max_row > 1:
        table = next(iter(ws.tables.values()))
        assert table.ref == ws.dimensions and table.autoFilter.ref == table.ref
    else:
        assert ws.auto_filter.ref.startswith("A1:")
    assert all(c.data_type != "f" for sheet in wb.worksheets for row in sheet.iter_rows() for c in row)
    assert "OFFICIAL" in ws.oddHeader.center.text and "OFFICIAL" in ws.oddFooter.center.text
    assert wb["About this export"]["A1"].value.startswith("OFFICIAL")
    for col, header in enumerate(ws[1], start=1):
        width = ws.column_dimensions[header.column_letter].width
        assert xlsx.WIDTH_MIN <= width <= xlsx.WIDTH_MAX, (header.value, width)
        values = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
        dates = [v for v in values if isinstance(v, dt.datetime)]
        for r in range(2, ws.max_row + 1):
            cell = ws.cell(row=r, column=col)
            if isinstance(cell.value, dt.datetime):
                assert cell.number_format in (xlsx.DATE_FORMAT, xlsx.DATETIME_FORMAT)
            if isinstance(cell.value, str):
                # No date or amount left as text that the spreadsheet cannot sort or sum.
                assert not DATE_TEXT.fullmatch(cell.value) and not cell.value.startswith("£"), cell.value
        if dates:
            assert width >= 12


def test_columns_are_as_wide_as_their_contents(home, tmp_path):
    out = tmp_path / "feedback.xlsx"
    assert run_cli("export-list", "feedback", "--output", str(out), home=home).returncode == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    longest = max(len(ws.cell(row=r, column=2).value) for r in range(2, ws.max_row + 1))
    assert widths["Summary"] >= min(longest, xlsx.WIDTH_MAX) and widths["Id"] < 12
    assert widths["Received"] == 12 and ws.cell(row=2, column=4).number_format == "dd/mm/yyyy"


def test_services_show_money_in_pounds_and_the_stage_in_words(home, tmp_path):
    out = tmp_path / "services.xlsx"
    assert run_cli("export-list", "services", "--output", str(out), home=home).returncode == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    listed = {r["id"]: r for r in run_json("list", "services", "--json", home=home)}
    for row in rows:
        money = row[col["Annual value"] - 1]
        sid = row[0].value
        assert "£" in money.number_format
        assert round(money.value * 100) == listed[sid]["annual_value_pence"]
        stage = row[col["Current stage"] - 1].value
        assert stage in ("Analyse", "Plan", "Do", "Review", "Complete", "Not started"), stage
        assert isinstance(row[col["Contract ends"] - 1].value, dt.datetime)
        assert row[col["Provider"] - 1].value


def test_export_list_refuses_plainly(home, tmp_path):
    _plain_failure(run_cli("export-list", "nonsense", "--output", str(tmp_path / "x.xlsx"), home=home),
                   "There is no list called 'nonsense'")
    _plain_failure(run_cli("export-list", "feedback", "--output", str(tmp_path / "x.csv"), home=home), ".xlsx")
    _plain_failure(run_cli("export-list", "feedback", "--output", str(tmp_path / "noextension"), home=home),
                   ".xlsx")
    _plain_failure(run_cli("export-list", "feedback", "--output", str(tmp_path), home=home), "is a folder")
    _plain_failure(run_cli("export-list", "feedback", "--filter", "from=yesterday", "--output",
                           str(tmp_path / "y.xlsx"), home=home), "needs a date")
    _plain_failure(run_cli("export-list", "feedback", "--filter", "status=finished", "--output",
                           str(tmp_path / "y.xlsx"), home=home), "'finished' is not one of")
    _plain_failure(run_cli("export-list", "feedback", "--filter", "right=thirteen", "--output",
                           str(tmp_path / "y.xlsx"), home=home), "needs a number")
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_written_is_one_plain_message(home, tmp_path):
    missing = tmp_path / "no such folder" / "x.xlsx"
    _plain_failure(run_cli("export-list", "services", "--output", str(missing), home=home), "does not exist")
    assert not missing.parent.exists()

    locked = tmp_path / "open in excel.xlsx"
    locked.write_bytes(b"the user's own workbook")
    locked.chmod(stat.S_IRUSR | stat.S_IRGRP)
    _plain_failure(run_cli("export-list", "services", "--output", str(locked), home=home), "read-only or open")
    assert locked.read_bytes() == b"the user's own workbook"

    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        for args in (("export-list", "services", "--output", str(folder / "x.xlsx")),
                     ("export-traceability", "--output", str(folder / "t.xlsx")),
                     ("export-evidence", "1", "--output", str(folder / "e.pdf")),
                     ("export-feedback-report", "--from", "01/01/2020", "--to", "31/12/2030", "--output",
                      str(folder / "y.pdf"))):
            _plain_failure(run_cli(*args, home=home), "read-only")
        assert os.listdir(folder) == []
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    from lived_experience.core.errors import UserError

    wb = xlsx.new_workbook(title="T", marking="OFFICIAL", author="test")
    xlsx.add_table_sheet(wb, "T", [xlsx.SheetColumn("A")], [["x"]], marking="OFFICIAL", first=True)
    target = tmp_path / "t.xlsx"

    def refuse(self, other):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(target), "replace", refuse)
    with pytest.raises(UserError, match="open in another program"):
        xlsx.save(wb, target)
    assert list(tmp_path.iterdir()) == []


def test_feedback_list_filtered_by_period_from_the_command_line(home, tmp_path):
    out = tmp_path / "f.xlsx"
    done = run_cli("export-list", "feedback", "--filter", "from=01/01/2000", "--filter", "to=31/12/2001",
                   "--output", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out).worksheets[0].max_row == 1


def test_pdf_and_traceability_commands(home, tmp_path):
    ysw = tmp_path / "ysw.pdf"
    _plain_failure(run_cli("export-feedback-report", "--from", "01/01/2020", "--to", "not-a-date", "--output",
                           str(ysw), home=home), "dd/mm/yyyy")
    _plain_failure(run_cli("export-feedback-report", "--from", "01/01/2030", "--to", "31/12/2020", "--output",
                           str(ysw), home=home), "before it starts")
    done = run_cli("export-feedback-report", "--from", "01/01/2020", "--to", "31/12/2030", "--output", str(ysw),
                   home=home)
    assert done.returncode == 0, done.stderr
    assert "You said, we did" in PdfReader(str(ysw)).pages[0].extract_text()
    ev = tmp_path / "ev.pdf"
    done = run_cli("export-evidence", "1", "--output", str(ev), home=home)
    assert done.returncode == 0, done.stderr
    assert "decision" in done.stdout
    assert len(PdfReader(str(ev)).pages) >= 2
    _plain_failure(run_cli("export-evidence", "999", "--output", str(ev), home=home),
                   "no commissioning cycle with id 999")
    tr = tmp_path / "tr.xlsx"
    done = run_cli("export-traceability", "--output", str(tr), home=home)
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(tr)
    assert {"Changes by service", "Decisions and evidence", "Rights grid", "Recurring themes"} <= set(wb.sheetnames)
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
