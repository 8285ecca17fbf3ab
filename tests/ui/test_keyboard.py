"""Main tasks by keyboard alone, from the window as it opens: key presses only, no clicks and no calls into
the pages. (Adding an applicant, moving a stage, scheduling a meeting, recording attendance and recording
feedback are also driven by keyboard in their sections' tests.)"""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def focus():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focus(), key, modifier)


def test_export_a_meeting_pack_by_keyboard_alone(window, qtbot, interaction, tmp_path):
    out = tmp_path / "pack.pdf"
    interaction.answers["save_file"] = str(out)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    # Ctrl+6: Meetings. Ctrl+F then Tab: into the list; Down to the second meeting; Enter opens it.
    press(qtbot, Qt.Key.Key_6, CTRL)
    page = window.current_page()
    assert window.nav.currentItem().text() == "Meetings"
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focus() is page.list.filter_edit
    for _ in range(10):
        if focus() is page.list.table:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert focus() is page.list.table
    press(qtbot, Qt.Key.Key_Home, CTRL)
    press(qtbot, Qt.Key.Key_Down)
    chosen = page.list.selected_row()
    press(qtbot, Qt.Key.Key_Return)
    view = page.meeting_view
    assert page.stack.currentWidget() is view and view.meeting_id == chosen["id"]
    # Alt+K: the Pack tab; Alt+X: Export pack.
    press(qtbot, Qt.Key.Key_K, ALT)
    assert view.tabs.currentWidget() is view.pack
    press(qtbot, Qt.Key.Key_X, ALT)
    qtbot.waitUntil(out.exists, timeout=5000)  # a mnemonic "animates" the click: it lands a moment later
    text = PdfReader(out).pages[0].extract_text()
    assert chosen["title"].split(":")[0] in text
    assert any("saved" in m.lower() or "pack" in m.lower() for _k, m in interaction.messages)
    # Alt+Left goes back to the list, with the keyboard still in the window.
    press(qtbot, Qt.Key.Key_Left, ALT)
    assert page.stack.currentIndex() == 0


def test_search_everywhere_and_open_a_result_by_keyboard(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    press(qtbot, Qt.Key.Key_K, CTRL)
    assert focus() is window.search
    qtbot.keyClicks(window.search, "counselling")
    window.search.run_search()  # as the timer would, a moment after the last key
    press(qtbot, Qt.Key.Key_Down)
    row = window.search.current_row()
    assert row is not None and row.selectable
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_page() is window.pages[row.section]


def test_dashboard_line_opens_its_record_by_keyboard(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    press(qtbot, Qt.Key.Key_1, CTRL)
    page = window.current_page()
    page.table.setFocus()
    row = next(r for r, i in enumerate(page.model.items) if i.category == "stage_wait")
    press(qtbot, Qt.Key.Key_Home, CTRL)
    press(qtbot, Qt.Key.Key_Down, times=row)
    item = page.model.items[page.table.currentIndex().row()]
    press(qtbot, Qt.Key.Key_Return)
    applicants = window.current_page()
    assert applicants is window.pages["applicants"]
    assert applicants.list.selected_row()["id"] == item.entity_id
