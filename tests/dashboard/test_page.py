"""The dashboard page: counts at the top, lines below, each opening its record, never needing a refresh."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from lived_experience.core import clock
from lived_experience.dashboard.service import CATEGORIES, SHORT
from tests.dashboard.records import Records
from ui.common.roles import RowRole


def test_counts_at_the_top_match_the_lines(window, qtmodeltester):
    page = window.show_section("dashboard")
    qtmodeltester.check(page.model, force_py=False)
    for key, tile in page.tiles.items():
        n = sum(1 for i in page._all if i.category == key)
        assert tile.text() == f"{n}\n{SHORT[key]}"
        assert CATEGORIES[key] in tile.toolTip()
        assert tile.accessibleName() == f"{CATEGORIES[key]}: {n}"
    assert page.model.rowCount() == len(page._all)
    assert page.updated.text().startswith("Up to date at ")


def test_choosing_a_count_shows_only_that_kind_and_again_shows_everything(window, qtbot):
    page = window.show_section("dashboard")
    total = page.model.rowCount()
    qtbot.mouseClick(page.tiles["feedback"], Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == sum(1 for i in page._all if i.category == "feedback")
    assert all(i.category == "feedback" for i in page.model.items)
    assert "Showing only feedback waiting" in page.showing.text()
    qtbot.mouseClick(page.tiles["feedback"], Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == total


def test_urgency_is_in_words_first_and_coloured_only_as_well(window):
    page = window.show_section("dashboard")
    for r in range(page.model.rowCount()):
        word = page.model.index(r, 0).data()
        assert word in ("Overdue", "Due", "Note")
        assert page.model.index(r, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert word in page.model.index(r, 1).data(Qt.ItemDataRole.AccessibleTextRole)
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Urgency"


def test_enter_opens_the_record_in_its_section(window, qtbot):
    page = window.show_section("dashboard")
    row = next(r for r, i in enumerate(page.model.items) if i.category == "stage_wait")
    item = page.model.items[row]
    page.table.setCurrentIndex(page.model.index(row, 1))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert window.current_page() is window.pages["applicants"]
    assert window.pages["applicants"].list.selected_row()["id"] == item.entity_id


def test_a_meeting_line_opens_the_meeting(window, qtbot):
    page = window.show_section("dashboard")
    row = next(r for r, i in enumerate(page.model.items) if i.category == "packs")
    page.table.doubleClicked.emit(page.model.index(row, 1))
    meetings = window.pages["meetings"]
    assert window.current_page() is meetings
    # The Meetings section opens the meeting's own page (its open_record).
    assert meetings.stack.currentWidget() is meetings.meeting_view
    assert meetings.meeting_view.meeting_id == page.model.items[row].entity_id


def test_it_keeps_itself_up_to_date_without_a_refresh_button(window, state):
    page = window.show_section("dashboard")
    before = len(page._all)
    r = Records(state.ctx)
    r.service("New pilot", clock.today() + dt.timedelta(days=10))
    state.notify("commissioned_service")  # what a service does after a change
    assert len(page._all) == before + 1
    assert any(i.text.startswith("New pilot") for i in page.model.items)
    # While another section is showing it only notes that it is out of date...
    window.show_section("members")
    r.service("Another pilot", clock.today() + dt.timedelta(days=11))
    state.notify("commissioned_service")
    assert not any(i.text.startswith("Another pilot") for i in page._all)
    # ...and catches up when shown again.
    window.show_section("dashboard")
    assert any(i.text.startswith("Another pilot") for i in page._all)
    # The timer brings it up to date as dates move on.
    r.service("Third pilot", clock.today() + dt.timedelta(days=12))
    page.timer.timeout.emit()
    assert any(i.text.startswith("Third pilot") for i in page._all)
    assert page.timer.isActive() and page.timer.interval() == page.REFRESH_MS
    assert not any(isinstance(b, type(page.tiles["dbs"])) and b.text().lower().startswith("refresh")
                   for b in page.findChildren(type(page.tiles["dbs"])))


def test_the_selected_line_stays_selected_when_it_refreshes(window, state):
    page = window.show_section("dashboard")
    page.table.selectRow(3)
    page.table.setCurrentIndex(page.model.index(3, 0))
    chosen = page.table.currentIndex().data(RowRole)
    state.notify("*")
    assert page.table.currentIndex().data(RowRole) == chosen


def test_a_viewer_sees_no_dbs_lines(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.attach(AppState(as_role(demo_ctx, "viewer"), interaction))
    page = w.show_section("dashboard")
    assert page.tiles["dbs"].text().startswith("0\n")
    assert not any("DBS" in i.text for i in page.model.items)
    assert interaction.errors == []


def test_thousands_of_lines_are_not_each_measured_and_the_columns_fit_their_words(window, qtbot):
    """With demo --scale 100 the dashboard has thousands of lines; sizing its columns by measuring every line
    asked the model 120,000 times (a second at start-up). Urgency, area and date are sized from their words."""
    from PySide6.QtWidgets import QApplication

    from lived_experience.dashboard.service import SEVERITY_LABELS, DueItem
    from ui.dashboard.page import DueModel

    page = window.show_section("dashboard")
    items = [DueItem("feedback", CATEGORIES["feedback"], f"Line {i}", "feedback", "feedback_item", i,
                     severity=2, since=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300)) for i in range(5000)]
    calls = []
    original = DueModel.data

    def counting(self, index, role=Qt.ItemDataRole.DisplayRole):
        calls.append(role)
        return original(self, index, role)

    DueModel.data = counting
    try:
        page.model.set_items(items)
        QApplication.processEvents()
    finally:
        DueModel.data = original
    assert len(calls) < 5_000, len(calls)
    header = page.table.horizontalHeader()
    metrics = page.table.fontMetrics()
    assert header.sectionSize(2) > max(metrics.horizontalAdvance(t) for t in SHORT.values())
    assert header.sectionSize(3) > metrics.horizontalAdvance("00/00/0000")
    assert header.sectionSize(0) > max(metrics.horizontalAdvance(t) for t in SEVERITY_LABELS.values())
