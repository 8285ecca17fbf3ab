"""The Recruitment and Applicants sections, driven the way staff use them: by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from db.enums import Stage
from lived_experience.core import clock
from lived_experience.recruitment.applicants import get_applicant


def focusable_without_names(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus or not w.isVisibleTo(root.window()):
            continue
        if w.metaObject().className() in ("QScrollArea", "QSplitterHandle", "QStackedWidget"):
            continue
        if not w.accessibleName() or not w.accessibleDescription():
            out.append(f"{w.metaObject().className()} '{w.accessibleName()}' ({getattr(w, 'text', lambda: '')()})")
    return out


def applicants(window):
    return window.show_section("applicants")


def select(page, application_id):
    assert page.list.select_id(application_id)
    page.load(application_id)


def press(qtbot, widget, key, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(widget, key, mods)


# -- the Recruitment section --------------------------------------------------------------------------
def test_windows_page_shows_status_places_and_reserve_by_score(window, qtmodeltester):
    page = window.show_section("recruitment")
    qtmodeltester.check(page.list.model, force_py=False)
    assert page.list.model.total >= 3
    d = page.panel.detail
    assert d is not None and page.panel.title.text() == d.name
    text = page.panel.values["Places"].text()
    assert "filled" in text and "offered" in text and "reserve" in text
    # Find a window with a reserve list and check it is ordered by score.
    for r in range(page.list.model.rowCount()):
        page.list.table.setCurrentIndex(page.list.model.index(r, 0))
        if page.panel.reserve_model.rowCount() > 1:
            break
    model = page.panel.reserve_model
    qtmodeltester.check(model, force_py=False)
    scores = [model.object_at(i).score for i in range(model.rowCount())]
    known = [s for s in scores if s is not None]
    assert known == sorted(known, reverse=True)
    assert focusable_without_names(page) == []


def test_new_window_by_keyboard_and_the_eleven_places_message(window, qtbot):
    page = window.show_section("recruitment")
    before = page.list.model.total
    press(qtbot, page.list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = page.dialog
    assert dlg is not None and dlg.isVisible()
    assert focusable_without_names(dlg) == []
    dlg.name.setFocus()
    qtbot.keyClicks(dlg.name, "Keyboard window")
    dlg.places.setFocus()
    dlg.places.selectAll()
    qtbot.keyClicks(dlg.places, "11")
    dlg.term.setFocus()
    qtbot.keyClicks(dlg.term, uk(clock.today() + dt.timedelta(days=90)))
    press(qtbot, dlg.term, Qt.Key.Key_Return)
    assert dlg.isVisible() and "from 1 to 10 places" in dlg.error_label.text()
    dlg.places.setFocus()
    dlg.places.selectAll()
    qtbot.keyClicks(dlg.places, "4")
    press(qtbot, dlg.places, Qt.Key.Key_Return)
    assert not dlg.isVisible()
    assert page.list.model.total == before + 1
    assert page.panel.detail.name == "Keyboard window" and page.panel.detail.places == 4


def test_close_early_and_rubric_dialogs(window, qtbot, interaction):
    page = window.show_section("recruitment")
    row = next(r for r in range(page.list.model.rowCount()) if page.list.model.row_at(r)["status"] == "open"
               ) if any(page.list.model.row_at(r)["status"] == "open" for r in range(page.list.model.rowCount())) \
        else None
    if row is None:
        from lived_experience.recruitment.windows import WindowForm, create_window

        create_window(page.state.ctx, WindowForm("Open one", clock.today() - dt.timedelta(days=1),
                                                 clock.today() + dt.timedelta(days=9)))
        page.state.notify("recruitment_window")
        row = next(r for r in range(page.list.model.rowCount()) if page.list.model.row_at(r)["status"] == "open")
    page.list.table.setCurrentIndex(page.list.model.index(row, 0))
    assert page.close_action.isEnabled()
    press(qtbot, page.list.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dlg = page.dialog
    press(qtbot, dlg.on, Qt.Key.Key_Return)
    assert not dlg.isVisible() and page.panel.detail.status.value == "closed"
    # The rubric: add a criterion by keyboard.
    press(qtbot, page.list.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    rubric = page.dialog
    assert focusable_without_names(rubric) == []
    n = rubric.list.count()
    rubric.buttons["add"].click()
    crit = rubric.dialog
    qtbot.keyClicks(crit.name, "Respect for others")
    press(qtbot, crit.name, Qt.Key.Key_Return)
    assert rubric.list.count() == n + 1
    assert rubric.list.currentItem().text().startswith("Respect for others")
    rubric.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is rubric, timeout=2000)
    rubric.list.setFocus()
    press(qtbot, rubric.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert rubric.list.item(n - 1).text().startswith("Respect for others")


def activate(qtbot, dlg) -> None:
    """Dialogs open with open(); make them the active window as the real screen would."""
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=2000)


def uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# -- the Applicants section -----------------------------------------------------------------------------
def test_applicants_page_filters_by_window_and_models_are_sound(window, qtmodeltester):
    page = applicants(window)
    qtmodeltester.check(page.list.model, force_py=False)
    total = page.list.model.total
    box = page.window_box
    assert box.count() >= 4 and box.itemText(0) == "All windows"
    box.setCurrentIndex(1)
    wid = box.currentData()
    rows = page.list.model.loaded_rows()
    assert rows and all(r["window_id"] == wid for r in rows) and page.list.model.total < total
    assert set(page.list.filter_boxes) >= {"stage", "area", "residence"}
    page.list.table.setCurrentIndex(page.list.model.index(0, 0))
    d = page.panel.detail
    assert d is not None and page.panel.values["Reasons"].text().startswith("• Home postcode")
    qtmodeltester.check(page.panel.history_model, force_py=False)
    qtmodeltester.check(page.panel.scores_model, force_py=False)
    assert page.panel.history_model.rowCount() == len(d.history)
    assert focusable_without_names(page) == []


def test_add_an_applicant_and_move_a_stage_by_keyboard_alone(window, qtbot, interaction):
    page = applicants(window)
    page.list.table.setFocus()
    press(qtbot, page.list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = page.dialog
    assert dlg is not None and dlg.isVisible()
    assert focusable_without_names(dlg) == []
    activate(qtbot, dlg)
    assert dlg.first.hasFocus()
    qtbot.keyClicks(dlg.first, "Keya")
    press(qtbot, dlg.first, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Boardman")
    assert dlg.last.text() == "Boardman"
    # Tab on to the email and the home postcode.
    dlg.email.setFocus()
    qtbot.keyClicks(dlg.email, "keya.boardman@example.org")
    dlg.postcode.setFocus()
    qtbot.keyClicks(dlg.postcode, "le2 7aa")
    # Ctrl+Tab to the Application tab; choose the basis with the keyboard.
    press(qtbot, dlg.postcode, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, dlg.tabs.currentWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dlg.tabs.currentIndex() == 2
    dlg.basis.setFocus()
    press(qtbot, dlg.basis, Qt.Key.Key_Down)
    assert dlg.basis.value() == "victim"
    dlg.area_boxes[next(iter(dlg.area_boxes))].setFocus()
    press(qtbot, QApplication.focusWidget(), Qt.Key.Key_Space)
    press(qtbot, QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dlg.isVisible(), dlg.error_label.text()
    d = page.panel.detail
    assert d is not None and d.name == "Keya Boardman" and d.stage is Stage.RECEIVED
    assert page.list.selected_row()["id"] == d.application_id
    assert page.panel.values["Flag"].text().startswith("In LLR")

    # Withdraw by keyboard: Ctrl+Shift+W, type the reason, Enter.
    activate(qtbot, window)
    page.list.table.setFocus()
    assert page.move_actions[Stage.WITHDRAWN].isEnabled()
    assert not page.move_actions[Stage.OFFERED].isEnabled()
    press(qtbot, page.list.table, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    move = page.dialog
    press(qtbot, move.reason, Qt.Key.Key_Return)
    assert move.isVisible() and "Say why" in move.error_label.text()
    qtbot.keyClicks(move.reason, "Moved away")
    press(qtbot, move.reason, Qt.Key.Key_Return)
    assert not move.isVisible()
    after = get_applicant(page.state.ctx, d.application_id, audit_view=False)
    assert after.stage is Stage.WITHDRAWN and after.history[-1].reason == "Moved away"
    assert page.panel.values["Stage"].text().startswith("Withdrawn")
    assert page.panel.history_model.index(0, 1).data() == "Received → Withdrawn"
    assert not any(a.isEnabled() for a in page.move_actions.values())


def test_eligibility_assessment_and_offer_by_keyboard(window, qtbot, interaction):
    from lived_experience.people.service import PersonDetails
    from lived_experience.recruitment.applicants import ApplicationDetails, add_applicant
    from lived_experience.recruitment.windows import WindowForm, create_window

    ctx = window.state.ctx
    w = create_window(ctx, WindowForm("Keyboard pipeline", clock.today() - dt.timedelta(days=5),
                                      clock.today() + dt.timedelta(days=20), places=1,
                                      term_starts_on=clock.today() + dt.timedelta(days=400)))
    res = add_applicant(ctx, PersonDetails(first_name="Pip", last_name="Line", postcode="LE12 9AA"),
                        ApplicationDetails(window_id=w.id, basis="victim", selection_method="interview"),
                        as_new_person=True)
    page = applicants(window)
    page.state.notify("recruitment_window")
    page.set_window(w.id)
    select(page, res.application_id)
    table = page.list.table
    table.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    # Moving on before the eligibility decision explains why, without a dialog.
    press(qtbot, table, Qt.Key.Key_E, ctrl_shift)
    assert interaction.messages[-1][0] == "warn" and "eligibility decision" in interaction.messages[-1][1]
    # Eligibility decision (Ctrl+L): needs confirmation, so a reason is needed.
    press(qtbot, table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    el = page.dialog
    assert focusable_without_names(el) == []
    press(qtbot, el.reason, Qt.Key.Key_Return)
    assert el.isVisible() and "confirmed" in el.error_label.text()
    qtbot.keyClicks(el.reason, "Checked the full postcode")
    press(qtbot, el.reason, Qt.Key.Key_Return)
    assert not el.isVisible()
    assert page.panel.detail.stage is Stage.ELIGIBILITY_CHECKED
    press(qtbot, table, Qt.Key.Key_S, ctrl_shift)
    press(qtbot, page.dialog.reason, Qt.Key.Key_Return)
    assert page.panel.detail.stage is Stage.SHORTLISTED
    # Record an assessment (Ctrl+R): all 4s.
    press(qtbot, table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    ad = page.dialog
    assert focusable_without_names(ad) == []
    activate(qtbot, ad)
    for box in ad.scores.values():
        if box.isEnabled():
            box.setFocus()
            box.selectAll()
            qtbot.keyClicks(box, "4")
            assert box.value() == 4
    press(qtbot, ad.assessed_on, Qt.Key.Key_Return)
    assert not ad.isVisible(), ad.error_label.text()
    assert page.panel.scores_model.rowCount() == 1 and page.panel.values["Score"].text().startswith("4.00")
    activate(qtbot, window)
    press(qtbot, table, Qt.Key.Key_A, ctrl_shift)
    press(qtbot, page.dialog.reason, Qt.Key.Key_Return)
    press(qtbot, table, Qt.Key.Key_O, ctrl_shift)
    press(qtbot, page.dialog.reason, Qt.Key.Key_Return)
    assert page.panel.detail.stage is Stage.OFFERED


def test_a_viewer_can_look_but_not_act_or_see_equality(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.attach(AppState(as_role(demo_ctx, "viewer"), interaction))
    page = w.show_section("applicants")
    page.list.table.setCurrentIndex(page.list.model.index(0, 0))
    assert page.panel.detail is not None
    for act in (page.add_action, page.edit_action, page.eligibility_action, page.assess_action,
                page.equality_action, page.import_action, *page.move_actions.values()):
        assert not act.isEnabled(), act.text()
    # Even called directly, the service refuses.
    page.equality_action.setEnabled(True)
    page.equality()
    assert interaction.errors and "does not allow" in str(interaction.errors[-1])
    wp = w.show_section("recruitment")
    assert not wp.new_action.isEnabled() and not wp.edit_action.isEnabled()


def test_equality_dialog_for_a_coordinator(qtbot, demo_ctx, interaction):
    from lived_experience.recruitment import equality
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    ctx = as_role(demo_ctx, "coordinator")
    w.attach(AppState(ctx, interaction))
    page = w.show_section("applicants")
    page.list.table.setCurrentIndex(page.list.model.index(0, 0))
    d = page.panel.detail
    activate(qtbot, w)
    press(qtbot, page.list.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dlg = page.dialog
    assert dlg is not None and focusable_without_names(dlg) == []
    box = dlg.boxes["religion"]
    box.setCurrentIndex(box.findData(equality.PREFER_NOT_TO_SAY))
    press(qtbot, dlg.ethnic_detail, Qt.Key.Key_Return)
    assert not dlg.isVisible(), dlg.error_label.text()
    assert equality.get_answers(ctx, d.application_id).answers["religion"] == equality.PREFER_NOT_TO_SAY


def test_import_button_opens_the_wizard(window, monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("ui.importing.wizard")
    fake.open_import_wizard = lambda state, parent: calls.append((state, parent))
    pkg = sys.modules.get("ui.importing") or types.ModuleType("ui.importing")
    monkeypatch.setitem(sys.modules, "ui.importing", pkg)
    monkeypatch.setitem(sys.modules, "ui.importing.wizard", fake)
    page = applicants(window)
    page.buttons["import"].click()
    assert calls == [(page.state, page)]


def test_open_record_selects_the_application(window):
    page = applicants(window)
    page.list.filter_boxes["stage"].setCurrentIndex(page.list.filter_boxes["stage"].findData("withdrawn"))
    target = None
    from lived_experience.listing.query import list_all

    rows = list_all(window.state.ctx, "applicants", filters={"stage": "member"}).rows
    target = rows[0]["id"]
    window.open_record("applicants", "application", target)
    assert page.panel.detail.application_id == target
    assert page.list.selected_row()["id"] == target


@pytest.mark.parametrize("key", ["recruitment", "applicants"])
def test_shortcuts_are_in_the_tooltips(window, key):
    page = window.show_section(key)
    for b in page.findChildren(QWidget):
        tip = b.toolTip()
        if b.metaObject().className() == "QPushButton" and b.accessibleName() in (
                "New window", "Edit", "Add applicant", "Edit applicant", "Record assessment", "Import spreadsheet"):
            assert "Ctrl+" in tip, (b.accessibleName(), tip)


def test_reserve_list_enter_opens_the_applicant(window, qtbot):
    page = window.show_section("recruitment")
    for r in range(page.list.model.rowCount()):
        page.list.table.setCurrentIndex(page.list.model.index(r, 0))
        if page.panel.reserve_model.rowCount():
            break
    entry = page.panel.reserve_model.object_at(0)
    table = page.panel.reserve
    table.setFocus()
    table.setCurrentIndex(page.panel.reserve_model.index(0, 1))
    press(qtbot, table, Qt.Key.Key_Return)
    current = window.current_page()
    assert current is window.pages["applicants"]
    assert current.panel.detail.application_id == entry.application_id


def test_mark_selection_complete_asks_then_explains_a_refusal(window, interaction):
    page = window.show_section("recruitment")
    row = next(r for r in range(page.list.model.rowCount()) if page.list.model.row_at(r)["status"] == "closed")
    page.list.table.setCurrentIndex(page.list.model.index(row, 0))
    assert page.complete_action.isEnabled()
    interaction.answers["confirm"] = False
    page.complete_action.trigger()
    assert interaction.messages[-1][0] == "confirm" and page.panel.detail.status.value == "closed"
    interaction.answers["confirm"] = True
    page.complete_action.trigger()
    # The demo's open refresh still has applicants waiting for a decision.
    assert interaction.errors and "waiting for a decision" in str(interaction.errors[-1])


def test_re_applicant_is_recognised_in_the_add_dialog(window, qtbot, interaction):
    from lived_experience.people.service import PersonDetails
    from lived_experience.recruitment.applicants import ApplicationDetails, add_applicant
    from lived_experience.recruitment.windows import WindowForm, create_window

    ctx = window.state.ctx
    old = create_window(ctx, WindowForm("Earlier", clock.today() - dt.timedelta(days=300),
                                        clock.today() - dt.timedelta(days=270)))
    first = add_applicant(ctx, PersonDetails(first_name="Rhea", last_name="Turn", email="rhea@example.org"),
                          ApplicationDetails(window_id=old.id), as_new_person=True)
    new = create_window(ctx, WindowForm("Later", clock.today() - dt.timedelta(days=2),
                                        clock.today() + dt.timedelta(days=20)))
    page = applicants(window)
    page.state.notify("recruitment_window")
    page.set_window(new.id)
    page.add_applicant()
    dlg = page.dialog
    assert dlg.window_box.currentData() == new.id
    dlg.first.setText("Rhéa")
    dlg.last.setText("Turner")
    dlg.email.setText("RHEA@example.org")
    interaction.answers["confirm"] = True
    press(qtbot, dlg.email, Qt.Key.Key_Return)
    assert not dlg.isVisible(), dlg.error_label.text()
    asked = [m for k, m in interaction.messages if k == "confirm"][-1]
    assert "Rhea Turn" in asked and "Earlier" in asked
    d = page.panel.detail
    assert d.person_id == first.person_id and d.name == "Rhea Turn"
    assert [w for _i, w, _s in d.other_applications] == ["Earlier"]
    assert any("First name" in m and "Last name" in m for k, m in interaction.messages if k == "info")
