"""The real window, offscreen: it opens, every section lists its records, models are sound."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from ui.shell.sections import SECTIONS

LIST_SECTIONS = {
    "recruitment": 3, "applicants": 60, "members": 10, "meetings": 12, "feedback": 80, "commissioning": 6,
    "reports": 3,
}


def test_window_title_and_sections(window):
    assert "Lived Experience" in window.windowTitle()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["Dashboard", "Recruitment", "Applicants", "Members", "DBS", "Meetings", "Feedback",
                      "Commissioning", "Reports", "Admin"]
    assert "Local administrator" in window.user_label.text()
    assert ".sqlite3" in window.db_label.text()


@pytest.mark.parametrize("key,minimum", LIST_SECTIONS.items())
def test_each_section_lists_the_demo_records(window, qtmodeltester, key, minimum):
    page = window.show_section(key)
    assert window.current_page() is page
    model = page.list.model
    assert model.total >= minimum
    assert model.rowCount() > 0 and model.columnCount() > 2
    qtmodeltester.check(model, force_py=False)
    # Cells are formatted the UK way.
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert any(texts)


def test_dbs_section_lists_the_register_for_an_administrator(window):
    page = window.show_section("dbs")
    assert page.register is not None and page.register.list.model.total >= 10


def test_dbs_section_explains_the_refusal_to_a_coordinator(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.attach(AppState(as_role(demo_ctx, "coordinator"), interaction))
    page = w.show_section("dbs")
    assert page.register is None
    assert interaction.errors == []


def test_dashboard_lists_what_needs_doing_and_opens_a_record(window, qtmodeltester, qtbot):
    page = window.show_section("dashboard")
    qtmodeltester.check(page.model, force_py=False)
    cats = {i.category for i in page.model.items}
    assert {"stage_wait", "terms", "packs", "feedback", "contracts", "quiet", "dbs"} <= cats
    # Open a contract line: the Commissioning section shows with that service selected.
    row = next(r for r, i in enumerate(page.model.items) if i.category == "contracts")
    page.table.setCurrentIndex(page.model.index(row, 1))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    target = page.model.items[row]
    current = window.current_page()
    assert current is window.pages["commissioning"]
    assert current.list.selected_row()["id"] == target.entity_id


def test_typing_in_the_filter_narrows_the_list(window, qtbot):
    page = window.show_section("applicants")
    total = page.list.model.total
    page.list.filter_edit.setText("Zoë")  # setText: non-ASCII keyClicks aborts PySide6 6.12
    qtbot.waitUntil(lambda: page.list.model.total < total, timeout=2000)
    names = [page.list.model.row_at(r)["name"] for r in range(page.list.model.rowCount())]
    assert names and all("Zoë" in n for n in names)


def test_filter_choice_and_sorting_by_header(window, qtbot):
    page = window.show_section("applicants")
    box = page.list.filter_boxes["stage"]
    box.setCurrentIndex(box.findData("reserve"))
    rows = page.list.model.loaded_rows()
    assert rows and all(r["stage"] == "reserve" for r in rows)
    header = page.list.table.horizontalHeader()
    name_col = next(i for i, c in enumerate(page.list.model.visible_columns()) if c.key == "name")
    header.setSortIndicator(name_col, Qt.SortOrder.AscendingOrder)
    names = [r["name"] for r in page.list.model.loaded_rows()]
    assert names == sorted(names)


def test_ctrl_number_jumps_to_a_section(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "Members"


def test_export_to_excel_writes_a_safe_marked_workbook(window, interaction, tmp_path):
    page = window.show_section("members")
    out = tmp_path / "members.xlsx"
    interaction.answers["save_file"] = str(out)
    page.list.export()
    assert out.exists(), interaction.messages
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "Id" and ws.freeze_panes == "A2"
    assert ws.max_row == page.list.model.total + 1
    assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text
    assert any("saved" in m for _k, m in interaction.messages)


def test_every_section_page_builds_without_qt_warnings(window):
    for s in SECTIONS:
        assert window.show_section(s.key) is not None


def test_column_layout_is_remembered(window, state):
    page = window.show_section("meetings")
    page.list.table.setColumnWidth(0, 333)
    page.list.save_layout()
    from ui.common.list_page import ListPage

    again = ListPage(state, "meetings")
    assert again.table.columnWidth(0) == 333
    again.deleteLater()
