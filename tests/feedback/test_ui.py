"""The Feedback and Commissioning sections in the real window (offscreen, demo data)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from db.models import FeedbackItem
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work
from lived_experience.feedback import service as fb


def _count(ctx) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(FeedbackItem.id)))


def _focusable_without_a11y(root: QWidget) -> list[str]:
    bad = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus or not w.isVisibleTo(root) and w is not root:
            continue
        if w.focusProxy() is not None:
            continue
        if not w.accessibleName() or not w.accessibleDescription():
            bad.append(f"{type(w).__name__} '{w.objectName() or w.accessibleName()}'")
    return bad


def test_keyboard_only_capture_of_a_feedback_item(window, qtbot):
    page = window.show_section("feedback")
    before = _count(page.ctx)
    dlg = page.capture()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    dlg.quote.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.quote)

    def press(key, mods=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(QApplication.focusWidget(), key, mods)

    def type_(text):
        qtbot.keyClicks(QApplication.focusWidget(), text)

    type_("I waited six weeks to hear anything.")
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.summary
    type_("Long wait for the first update")
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.source  # Meeting is the default source
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.meeting
    press(Qt.Key.Key_Down)  # the most recent meeting
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.agenda
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.themes.list
    type_("waiting")  # type-to-search narrows the list
    assert "waiting" in dlg.themes.hint.text()
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.services.list
    type_("ISVA")
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.rights.list
    type_("investigation")
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.cycle
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.stage
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.priority
    press(Qt.Key.Key_H)  # High
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert dlg.error_label.isHidden(), dlg.error_label.text()
    assert _count(page.ctx) == before + 1
    d = fb.get_feedback(page.ctx, dlg.saved_ids[-1])
    assert d.summary == "Long wait for the first update" and d.quote == "I waited six weeks to hear anything."
    assert d.meeting_id is not None and d.agenda_item_id is not None
    assert d.themes == ["Waiting times and delays"] and d.rights == [6]
    assert any("ISVA" in s for s in d.services) and d.cycle_id is not None and d.cycle_stage == "analyse"
    assert d.priority == "high"
    # Cleared for the next point, keeping the meeting; the cursor is back in the quote.
    assert dlg.summary.text() == "" and dlg.quote.toPlainText() == "" and dlg.themes.checked_ids() == []
    assert dlg.meeting.value() == d.meeting_id
    assert QApplication.focusWidget() is dlg.quote
    # A second point straight away, and a problem shown in the form, not as a crash.
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "summary" in dlg.error_label.text().lower() and _count(page.ctx) == before + 1
    dlg.close()


def test_the_table_filters_by_service_theme_right_status_and_period(window, qtmodeltester):
    page = window.show_section("feedback")
    model = page.list.model
    total = model.total
    qtmodeltester.check(model, force_py=False)
    page.f_status.set_value("new")
    assert 0 < model.total < total and all(r["status"] == "new" for r in model.loaded_rows())
    page.clear_filters()
    page.f_right.set_value(10)
    assert model.total > 0 and all(10 in r["rights"] for r in model.loaded_rows())
    page.clear_filters()
    theme = page.f_theme.itemText(1)
    page.f_theme.setCurrentIndex(1)
    assert all(theme in r["themes"] for r in model.loaded_rows())
    page.clear_filters()
    page.f_service.setCurrentIndex(1)
    service = page.f_service.currentText()
    assert model.total > 0 and all(service in r["services"] for r in model.loaded_rows())
    page.clear_filters()
    page.f_from.setText("01/01/2001")
    page.f_to.setText("31/12/2001")
    page._date_filter("from", page.f_from)
    page._date_filter("to", page.f_to)
    assert model.total == 0
    page.clear_filters()
    assert model.total == total


def test_the_detail_offers_only_the_next_valid_steps(window, state):
    page = window.show_section("feedback")
    page.f_status.set_value("new")
    row = page.list.model.row_at(0)
    page.list.select_id(row["id"])
    detail = page.detail
    assert detail.detail.id == row["id"]
    steps = [detail.next_step.itemData(i) for i in range(detail.next_step.count())]
    assert steps == ["under_consideration"]
    detail.move_button.click()
    assert fb.get_feedback(state.ctx, row["id"]).status == "under_consideration"
    # Response agreed without the response is refused in the panel, not by a crash.
    page.clear_filters()
    page.list.select_id(row["id"])
    detail.show_item(row["id"])
    assert [detail.next_step.itemData(i) for i in range(detail.next_step.count())] == ["response_agreed"]
    detail.response.setPlainText("")
    detail.move_button.click()
    assert "response agreed" in detail.loop_error.text()
    assert fb.get_feedback(state.ctx, row["id"]).status == "under_consideration"
    detail.response.setPlainText("We will ask the provider for a named contact")
    detail.owner.setEditText("Commissioning Manager")
    detail.move_button.click()
    d = fb.get_feedback(state.ctx, row["id"])
    assert d.status == "response_agreed" and d.response_owner == "Commissioning Manager"
    assert state.interaction.errors == []


def test_anonymous_source_is_hidden_from_a_coordinator_in_the_window(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.feedback.page import FeedbackPage
    from ui.state import AppState

    coord = as_role(demo_ctx, "coordinator")
    with unit_of_work(coord, readonly=True) as s:
        fid = s.scalar(select(FeedbackItem.id).where(FeedbackItem.anonymous.is_(True),
                                                     FeedbackItem.person_id.is_not(None)))
    page = FeedbackPage(AppState(coord, interaction))
    qtbot.addWidget(page)
    page.open_record("feedback_item", fid)
    assert "hidden" in page.detail.values["source"].text()
    assert page.detail.reveal_button.isHidden()


def test_every_control_is_named_for_screen_readers(window, qtbot):
    feedback = window.show_section("feedback")
    commissioning = window.show_section("commissioning")
    for page in (feedback, commissioning):
        for i in range(page.tabs.count()):
            page.tabs.setCurrentIndex(i)
            assert _focusable_without_a11y(page.tabs.currentWidget()) == []
    for i in range(commissioning.panel.count()):
        commissioning.panel.setCurrentIndex(i)
        assert _focusable_without_a11y(commissioning.panel.currentWidget()) == []
    dlg = feedback.capture()
    assert _focusable_without_a11y(dlg) == []
    dlg.close()


def test_commissioning_shows_the_cycle_timeline_decisions_and_the_grid(window, qtmodeltester):
    page = window.show_section("commissioning")
    page.list.select_id(1)
    panel = page.panel
    assert panel.service.id == 1 and panel.cycle is not None
    assert "Current stage:" in panel.current_label.text()
    assert "current stage" in panel.timeline.accessibleDescription()
    current = [panel.stages.index(r, 0).data() for r in range(panel.stages.rowCount())]
    assert sum("(current stage)" in c for c in current) <= 1
    for model in (panel.stages, panel.activities, panel.visits, panel.decisions, page.grid.model):
        qtmodeltester.check(model, force_py=False)
    panel.decision_view.selectRow(0)
    assert panel.evidence.rowCount() >= 1 and panel.evidence.index(0, 0).data().startswith("F-")
    grid = page.grid.model
    assert grid.columnCount() == 2 + 12 + 1 and grid.rowCount() == 7
    assert "All services" in grid.index(6, 0).data()


def test_evidence_pdf_from_the_window(window, interaction, tmp_path):
    page = window.show_section("commissioning")
    page.list.select_id(1)
    out = tmp_path / "evidence.pdf"
    interaction.answers["save_file"] = str(out)
    page.panel.export_evidence()
    assert out.exists(), interaction.messages
    assert any("saved to" in m for _k, m in interaction.messages)


def test_you_said_we_did_from_the_window(window, interaction, tmp_path):
    import datetime as dt

    from lived_experience.core import clock

    page = window.show_section("feedback")
    out = tmp_path / "ysw.pdf"
    page.write_report(str(out), clock.today() - dt.timedelta(days=200), clock.today())
    assert out.exists() and any("saved to" in m for _k, m in interaction.messages)
    interaction.answers["save_file"] = str(tmp_path / "trace.xlsx")
    page.export_traceability()
    assert (tmp_path / "trace.xlsx").exists()


@pytest.mark.parametrize("kind", ["services"])
def test_adding_a_duplicate_service_asks_first(window, interaction, kind):
    from ui.commissioning.dialogs import ServiceDialog

    page = window.show_section("commissioning")
    dlg = ServiceDialog(page.state, page)
    dlg.name.setText("Another ISVA service")
    dlg.kind.set_value("isva")
    interaction.answers["confirm"] = False
    dlg._on_ok()
    assert dlg.error_label.isVisible() or "Not added" in dlg.error_label.text()
    assert any(k == "confirm" and "Adult Independent Sexual Violence" in m for k, m in interaction.messages)
    interaction.answers["confirm"] = True
    dlg._on_ok()
    assert isinstance(dlg.result_value, int)


def test_the_cycle_tab_fits_the_window_and_names_cycles_briefly(window, qtbot):
    """At the usual window size the whole timeline (up to today's line) is on screen."""
    from lived_experience.commissioning import cycles as cy

    window.resize(1280, 800)
    page = window.show_section("commissioning")
    ctx = page.state.ctx
    latest = cy.list_cycles(ctx, 1)[0]
    long_name = latest.name + " including the Rutland and Melton outreach pilot and the county hubs review"
    cy.update_cycle(ctx, latest.id, long_name, latest.starts_on, latest.notes, latest.version)
    page.list.select_id(1)
    panel = page.panel
    panel.show_service(1)
    panel.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.timeline.isVisible())
    scroll = panel.currentWidget()
    assert panel.timeline.width() <= scroll.viewport().width()
    # However long a cycle's name, its chooser does not push the tab wider than the window.
    panel.cycle_box.adjustSize()
    assert panel.cycle_box.sizeHint().width() < scroll.viewport().width() // 2
    assert scroll.horizontalScrollBar().maximum() == 0
    texts = [panel.cycle_box.itemText(i) for i in range(panel.cycle_box.count())]
    assert texts and not any(t.startswith(panel.service.name) for t in texts)
    assert panel.cycle_box.value() == panel.service.cycles[-1].id  # the current cycle first
    assert panel.timeline.minimumHeight() >= 4 * 26


def test_a_count_in_the_rights_grid_lists_its_feedback_and_opens_one(window, qtbot):
    page = window.show_section("commissioning")
    page.tabs.setCurrentIndex(1)
    tab = page.grid
    model = tab.model
    cell = next((model.index(r, c) for r in range(model.rowCount() - 1) for c in range(2, 14)
                 if model.index(r, c).data() not in ("0", "")), None)
    assert cell is not None
    what, ids = tab.cell_ids(cell.row(), cell.column())
    assert len(ids) == int(cell.data()) and "right" in what
    assert model.headerData(cell.column(), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole).startswith(
        f"Right {cell.column() - 1}:")
    tab.show_cell(cell)
    dlg = tab.last_dialog
    assert dlg.model.rowCount() == len(ids)
    assert {dlg.model.payload(r).feedback_id for r in range(dlg.model.rowCount())} == set(ids)
    dlg._open(dlg.model.index(0, 0))
    feedback = window.current_page()
    assert feedback is window.pages["feedback"] and feedback.detail.detail.id == dlg.chosen
    # The total row gathers every service's items for the right, without counting one twice.
    total_row = model.rowCount() - 1
    _what, total_ids = tab.cell_ids(total_row, cell.column())
    assert len(total_ids) == int(model.index(total_row, cell.column()).data())
    # A 0 says so in words instead of opening an empty list.
    zero = next((model.index(r, c) for r in range(model.rowCount() - 1) for c in range(2, 14)
                 if model.index(r, c).data() == "0"), None)
    if zero is not None:
        tab.last_dialog = None
        tab.show_cell(zero)
        assert tab.last_dialog is None
        assert any("no feedback" in m.lower() for _k, m in window.state.interaction.messages)


def test_evidence_behind_a_decision_opens_in_the_feedback_section(window):
    page = window.show_section("commissioning")
    page.list.select_id(1)
    panel = page.panel
    panel.setCurrentIndex(3)
    panel.decision_view.selectRow(0)
    first = panel.evidence.payload(0)
    panel._open_evidence(panel.evidence.index(0, 0))
    assert window.current_page() is window.pages["feedback"]
    assert window.pages["feedback"].detail.detail.id == first.feedback_id


def test_an_anonymous_member_point_by_keyboard_alone_and_several_in_a_row_fast(window, qtbot):
    """Ctrl+N opens the form; the member, 'quote anonymously' and the date are reached with Tab;
    each further point is a summary and Ctrl+Enter."""
    import time

    from lived_experience.listing.query import list_all

    page = window.show_section("feedback")
    window.activateWindow()
    page.list.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.list.table)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page._capture is not None and page._capture.isVisible())
    dlg = page._capture
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.quote)
    before = _count(page.ctx)

    def press(key, mods=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(QApplication.focusWidget(), key, mods)

    def type_(text):
        qtbot.keyClicks(QApplication.focusWidget(), text)

    def tab_to(widget, most=20):
        for _ in range(most):
            if QApplication.focusWidget() is widget:
                return
            press(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {widget.accessibleName()}")

    type_("Nobody explained the complaints route to me.")
    press(Qt.Key.Key_Tab)
    type_("Complaints route not explained")
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.source
    type_("Mem")  # Meeting -> Member
    assert dlg.source.value() == "member"
    tab_to(dlg.member)
    member_label = dlg.member.itemText(1)
    type_(member_label[:4])
    assert dlg.member.value() is not None
    chosen = dlg.member.value()
    tab_to(dlg.anonymous)
    press(Qt.Key.Key_Space)
    assert dlg.anonymous.isChecked()
    tab_to(dlg.received)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    day = clock.today() - dt.timedelta(days=1)
    type_(day.strftime("%d/%m/%Y"))
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dlg.error_label.isHidden(), dlg.error_label.text()
    fid = dlg.saved_ids[-1]
    with unit_of_work(page.ctx, readonly=True) as s:
        saved = s.get(FeedbackItem, fid)
        assert (saved.anonymous, saved.person_id, saved.source_kind, saved.received_on) == (True, chosen, "member",
                                                                                            day)
    # In no list output: the row has no person, and the member's name is nowhere in it.
    row = next(r for r in list_all(page.ctx, "feedback").rows if r["id"] == fid)
    assert member_label not in str(row) and not any("person" in k for k in row)

    # More points from the same member, each one a summary and Ctrl+Enter: fast.
    assert QApplication.focusWidget() is dlg.quote
    started = time.perf_counter()
    for n in range(5):
        press(Qt.Key.Key_Tab)
        type_(f"Point {n}")
        press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dlg.error_label.isHidden(), dlg.error_label.text()
    elapsed = time.perf_counter() - started
    assert _count(page.ctx) == before + 6
    assert elapsed < 10, f"five points took {elapsed:.1f} s"
    # The member's further points stay theirs, and stay anonymous; the form says whose they are.
    with unit_of_work(page.ctx, readonly=True) as s:
        rows = s.execute(select(FeedbackItem.person_id, FeedbackItem.anonymous)
                         .where(FeedbackItem.id.in_(dlg.saved_ids))).all()
    assert set(rows) == {(chosen, True)}
    assert f"Still from {member_label} (quoted anonymously)" in dlg.status_label.text()
    dlg.close()


def test_a_services_visits_and_decisions_export_from_its_tabs(window, interaction, tmp_path):
    import openpyxl

    page = window.show_section("commissioning")
    page.list.select_id(1)
    panel = page.panel
    for kind, model in (("visits", panel.visits), ("decisions", panel.decisions)):
        out = tmp_path / f"{kind}.xlsx"
        interaction.answers["save_file"] = str(out)
        panel.export_rows(kind)
        assert out.exists(), interaction.messages
        ws = openpyxl.load_workbook(out).worksheets[0]
        services = {ws.cell(row=r, column=c.column).value for r in range(2, ws.max_row + 1)
                    for c in ws[1] if c.value == "Service"}
        if kind == "visits":
            assert ws.max_row - 1 == model.rowCount()  # this service's visits, not every service's
        assert services <= {panel.service.name}
    assert interaction.errors == []


def test_the_feedback_filters_wrap_instead_of_widening_the_page(window, qtbot):
    """Six filter boxes and the dates side by side need about 1,470 px: on a 1280 px screen the page would
    scroll sideways. They wrap onto a second line instead, and the page fits beside the navigation."""
    window.resize(1280, 800)
    page = window.show_section("feedback")
    assert page.minimumSizeHint().width() < 900
    holder = window.stack.currentWidget()
    qtbot.waitUntil(lambda: page.f_status.isVisible())
    assert holder.horizontalScrollBar().maximum() == 0
    boxes = (page.f_service, page.f_cycle, page.f_stage, page.f_theme, page.f_right, page.f_status)
    rows = {b.mapTo(page, b.rect().topLeft()).y() for b in boxes + (page.f_from, page.clear_button)}
    assert len(rows) > 1
    # "Received: [from] to [to]" stays together on one line.
    assert page.f_from.mapTo(page, page.f_from.rect().topLeft()).y() == \
        page.f_to.mapTo(page, page.f_to.rect().topLeft()).y()
