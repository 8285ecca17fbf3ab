"""Reports in the window: recruitment by window, representativeness (tables and charts side by side, PDF),
and the Panel report (preview and PDF)."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt

from lived_experience.reporting.suppression import HIDDEN_TEXT, SMALL_TEXT


def reports(window):
    return window.show_section("reports")


def test_three_reports_in_tabs_and_the_recruitment_list_still_there(window):
    page = reports(window)
    assert [page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())] == [
        "Recruitment by window", "Representativeness", "Police and Crime Panel report"]
    assert page.list.model.total >= 3


def test_representativeness_shows_figures_beside_charts(window, qtmodeltester):
    page = reports(window)
    page.tabs.setCurrentWidget(page.representativeness)
    view = page.representativeness
    assert view.report is not None
    assert set(view.boxes) == {"area", "ethnic_group", "sex", "age_band", "disability"}
    box = view.boxes["ethnic_group"]
    qtmodeltester.check(box.model, force_py=False)
    cells = [box.model.index(r, c).data() for r in range(box.model.rowCount()) for c in (1, 3)]
    assert SMALL_TEXT in cells
    for text in cells:
        assert text in (SMALL_TEXT, HIDDEN_TEXT) or int(text.replace(",", "")) >= 5
    assert box.model.index(box.model.rowCount() - 1, 0).data() == "Everyone counted"
    assert isinstance(box.chart_view, QChartView) and box.chart_view.chart().series()
    assert box.chart_view.accessibleName() and box.chart_view.accessibleDescription()
    qtmodeltester.check(view.channel_model, force_py=False)
    assert view.channel_model.rowCount() >= 2


def test_choosing_a_window_changes_the_applicants_compared(window, qtbot):
    page = reports(window)
    page.tabs.setCurrentWidget(page.representativeness)
    view = page.representativeness
    all_total = view.report.all_windows.total
    view.window_box.setCurrentIndex(1)  # the newest window
    assert view.report.window_id == view.window_box.currentData()
    assert view.report.chosen.total < all_total
    assert view.report.chosen.label in view.summary.text()


def test_representativeness_exports_a_pdf(window, interaction, tmp_path):
    page = reports(window)
    page.tabs.setCurrentWidget(page.representativeness)
    out = tmp_path / "rep.pdf"
    interaction.answers["save_file"] = str(out)
    page.representativeness.export()
    assert out.exists(), interaction.messages
    assert "OFFICIAL" in PdfReader(out).pages[0].extract_text()
    assert any("saved" in text for _kind, text in interaction.messages)


def test_a_viewer_is_told_why_there_is_no_representativeness_report(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.attach(AppState(as_role(demo_ctx, "viewer"), interaction))
    page = w.show_section("reports")
    page.tabs.setCurrentWidget(page.representativeness)
    view = page.representativeness
    assert view.report is None and not view.refusal.isHidden()
    assert "equality monitoring" in view.refusal.text()
    assert interaction.errors == []


def test_panel_report_preview_and_export(window, interaction, tmp_path, qtbot):
    page = reports(window)
    page.tabs.setCurrentWidget(page.panel)
    panel = page.panel
    panel.start_edit.setText("01/01/2026")
    panel.end_edit.setText("31/12/2026")
    qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    figures = {panel.model.index(r, 0).data(): panel.model.index(r, 1).data() for r in range(panel.model.rowCount())}
    assert int(figures["Meetings held"]) >= 1
    out = tmp_path / "panel"
    interaction.answers["save_file"] = str(out)
    panel.export()
    assert (tmp_path / "panel.pdf").exists(), interaction.messages


def test_a_bad_period_is_explained_not_crashed(window, interaction):
    page = reports(window)
    panel = page.panel
    panel.start_edit.setText("31/12/2026")
    panel.end_edit.setText("01/01/2026")
    panel.preview()
    assert interaction.errors and "end on or after" in str(interaction.errors[-1])
    panel.start_edit.setText("not a date")
    panel.export()
    assert "dd/mm/yyyy" in str(interaction.errors[-1])


def test_the_chosen_tab_is_remembered(window, state):
    page = reports(window)
    page.tabs.setCurrentIndex(2)
    from ui.reports.page import ReportsPage

    again = ReportsPage(state)
    assert again.tabs.currentIndex() == 2
    again.deleteLater()
