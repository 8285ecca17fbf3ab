"""The rejected-rows workbook, and saved mappings (profiles)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from db.models import AuditEvent
from lived_experience.core.errors import NotFound, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.importing import profiles, service
from lived_experience.importing.headers import auto_map
from lived_experience.importing.readers import open_source
from lived_experience.importing.report import write_rejected_report
from tests.importing import files as F
from tests.importing.helpers import import_file, preview_file

HEADERS = ["Name", "Email", "Phone", "Date of birth", "Notes"]
ROWS = [["Zoë Smith", "zoe@example.org", "07700900001", dt.date(1980, 5, 17), "fine"],
        ["Owen Walsh", "owen@", 7700900002.0, dt.date(1990, 1, 2), "=HYPERLINK(\"http://x\")"],
        ["", "nobody@example.org", "", None, "no name"]]


def test_rejected_rows_workbook_can_be_fixed_and_imported_again(sqlite_ctx, tmp_path):
    from tests.importing.helpers import add_window

    window_id = add_window(sqlite_ctx)
    path = F.write_xlsx(tmp_path / "apps.xlsx", HEADERS, ROWS)
    wb0 = openpyxl.load_workbook(path)
    wb0.active["E3"].data_type = "s"
    wb0.save(path)
    preview, outcome = import_file(sqlite_ctx, path, window_id)
    assert outcome.counts.rejected == 2
    report = write_rejected_report(preview, tmp_path / "out" / "to fix", marking="OFFICIAL-SENSITIVE",
                                   author="Test")
    assert report.suffix == ".xlsx" and report.exists()
    wb = openpyxl.load_workbook(report)
    ws = wb["Rows to fix"]
    header = [c.value for c in ws[1]]
    assert header == HEADERS + ["Problems", "Row in your file"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [v[-1] for v in values] == [3, 4]
    assert values[0][1] == "owen@" and "not an email address" in values[0][5]
    assert values[0][4] == '=HYPERLINK("http://x")' and ws["E2"].data_type == "s"  # text, never a formula
    assert values[0][3].date() == dt.date(1990, 1, 2)
    assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    assert "About this export" in wb.sheetnames
    # Fix the rows in the report and import it into the same window.
    ws["B2"] = "owen@example.org"
    ws["A3"] = "Nadia Rahman"
    wb.save(report)
    _p, again = import_file(sqlite_ctx, report, window_id)
    assert again.counts.imported == 2 and again.counts.rejected == 0


def test_report_refuses_a_file_that_changed(sqlite_ctx, tmp_path):
    from lived_experience.core.errors import UserError
    from tests.importing.helpers import add_window

    window_id = add_window(sqlite_ctx)
    path = F.write_csv(tmp_path / "a.csv", ["Name", "Email"], [["Zoë Smith", "zoe@"]])
    preview = preview_file(sqlite_ctx, path, window_id)
    F.write_csv(path, ["Name", "Email"], [["Zoë Smith", "zoe@example.org"]])
    with pytest.raises(UserError, match="has changed since it was read"):
        write_rejected_report(preview, tmp_path / "r.xlsx")


def test_profiles_are_saved_reused_and_audited(ctx, tmp_path):
    headers = ["Full name", "Contact", "Where did you see this?", "Postal area"]
    mapping = auto_map(headers)
    assert mapping.columns[1].field is None and mapping.columns[3].field is None
    mapping.set(1, "email")
    mapping.set(3, "postcode")
    saved = profiles.save_profile(ctx, "Partner survey", mapping)
    assert saved.columns == 4
    # Next month's export: the same headers in another order, with one more column.
    new_headers = ["postal AREA", "Where did you see this?", "Phone number", "Full Name", "contact"]
    profile = profiles.get_profile(ctx, "Partner survey")
    assert profiles.best_profile(profiles.list_profiles(ctx), new_headers).name == "Partner survey"
    m2 = profiles.mapping_from_profile(profile, new_headers)
    assert [c.field for c in m2.columns] == ["postcode", "how_heard", "phone", "full_name", "email"]
    assert m2.profile_name == "Partner survey" and "saved mapping" in m2.columns[0].how
    # Replacing checks the version; deleting works; all audited by name only.
    mapping.set(2, None)
    profiles.save_profile(ctx, "Partner survey", mapping, expected_version=saved.version)
    with pytest.raises(Exception, match="changed by"):
        profiles.save_profile(ctx, "Partner survey", mapping, expected_version=saved.version)
    profiles.delete_profile(ctx, "Partner survey")
    with pytest.raises(NotFound, match="No profiles have been saved yet"):
        profiles.get_profile(ctx, "Partner survey")
    with unit_of_work(ctx, readonly=True) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "import_profile")).all()
    assert actions == ["import_profile.create", "import_profile.change", "import_profile.delete"]


def test_a_profile_needs_a_name_column_and_a_name(ctx):
    mapping = auto_map(["Contact", "Postal area"])
    with pytest.raises(ValidationError, match="No column gives the applicant's name"):
        profiles.save_profile(ctx, "Bad", mapping)
    with pytest.raises(ValidationError, match="Give the saved mapping a name"):
        profiles.save_profile(ctx, "  ", auto_map(["Name"]))


def test_import_with_a_profile(sqlite_ctx, tmp_path):
    from tests.importing.helpers import add_window

    window_id = add_window(sqlite_ctx)
    path = F.write_csv(tmp_path / "p.csv", ["Person", "Contact"], [["Zoë Smith", "zoe@example.org"]])
    with open_source(path) as src:
        mapping = auto_map(src.headers)
    mapping.set(0, "full_name")
    mapping.set(1, "email")
    profiles.save_profile(sqlite_ctx, "Hand typed", mapping)
    profile = profiles.get_profile(sqlite_ctx, "Hand typed")
    preview = preview_file(sqlite_ctx, path, window_id, profile=profile)
    assert preview.rows[0].values["email"] == "zoe@example.org"
    outcome = service.commit(sqlite_ctx, preview)
    assert outcome.counts.imported == 1
