"""``export-list`` for every list, and the feedback export commands, run as the real program."""

from __future__ import annotations

import openpyxl
import pytest
from pypdf import PdfReader

from tests.cli.helpers import run_cli

LISTS = ["applicants", "members", "meetings", "feedback", "services", "expenses", "windows", "organisations"]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("export-home")
    done = run_cli("demo", "--seed", "3", home=home)
    assert done.returncode == 0, done.stderr
    return home


@pytest.mark.parametrize("kind", LISTS)
def test_export_list_writes_a_proper_table(home, tmp_path, kind):
    out = tmp_path / f"{kind}.xlsx"
    done = run_cli("export-list", kind, "--output", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["A1"].value == "Id" and ws.freeze_panes == "A2"
    assert ws.tables or ws.auto_filter.ref
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert "OFFICIAL" in ws.oddHeader.center.text


def test_export_list_refuses_plainly(home, tmp_path):
    done = run_cli("export-list", "nonsense", "--output", str(tmp_path / "x.xlsx"), home=home)
    assert done.returncode == 2 and "There is no list called 'nonsense'" in done.stderr
    done = run_cli("export-list", "feedback", "--output", str(tmp_path / "x.csv"), home=home)
    assert done.returncode == 2 and ".xlsx" in done.stderr
    done = run_cli("export-list", "feedback", "--filter", "from=yesterday", "--output", str(tmp_path / "y.xlsx"),
                   home=home)
    assert done.returncode == 2 and "needs a date" in done.stderr and "Traceback" not in done.stderr


def test_feedback_list_filtered_by_period_from_the_command_line(home, tmp_path):
    out = tmp_path / "f.xlsx"
    done = run_cli("export-list", "feedback", "--filter", "from=01/01/2000", "--filter", "to=31/12/2001",
                   "--output", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out).worksheets[0].max_row == 1


def test_pdf_and_traceability_commands(home, tmp_path):
    ysw = tmp_path / "ysw.pdf"
    done = run_cli("export-feedback-report", "--from", "01/01/2020", "--to", "31/12/2099", "--output", str(ysw),
                   home=home)
    assert done.returncode == 2 and "in the future" not in done.stderr or done.returncode == 0
    done = run_cli("export-feedback-report", "--from", "01/01/2020", "--to", "not-a-date", "--output", str(ysw),
                   home=home)
    assert done.returncode == 2 and "dd/mm/yyyy" in done.stderr
    done = run_cli("export-feedback-report", "--from", "01/01/2020", "--to", "31/12/2030", "--output", str(ysw),
                   home=home)
    assert done.returncode == 0, done.stderr
    assert "You said, we did" in PdfReader(str(ysw)).pages[0].extract_text()
    ev = tmp_path / "ev.pdf"
    done = run_cli("export-evidence", "1", "--output", str(ev), home=home)
    assert done.returncode == 0, done.stderr and "decision" in done.stdout
    assert len(PdfReader(str(ev)).pages) >= 2
    done = run_cli("export-evidence", "999", "--output", str(ev), home=home)
    assert done.returncode == 2 and "no commissioning cycle with id 999" in done.stderr
    tr = tmp_path / "tr.xlsx"
    done = run_cli("export-traceability", "--output", str(tr), home=home)
    assert done.returncode == 0, done.stderr
    assert "Rights grid" in openpyxl.load_workbook(tr).sheetnames
