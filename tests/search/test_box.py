"""The search box in the window: Ctrl+K, results as you type grouped by kind, the keyboard stays in the box,
Enter opens the record."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.search.box import ResultsModel, rows_for


def type_into(qtbot, box, text):
    box.clear()
    qtbot.keyClicks(box, text)  # ASCII only: non-ASCII keyClicks abort PySide6 6.12
    box.run_search()  # what the timer does a moment after the last key


def test_ctrl_k_puts_the_keyboard_in_the_search_box(window, qtbot):
    window.show_section("members")
    window.pages["members"].list.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    assert window.search.accessibleName() == "Search everything" and window.search.accessibleDescription()


def test_results_appear_as_you_type_grouped_by_kind(window, qtbot, qtmodeltester):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "zo")
    assert box.popup.isVisible()
    rows = box.model.rows
    headers = [r.text for r in rows if r.kind == "header"]
    assert headers[:2] == ["People", "Applications"]
    assert all("Zoë" in r.text for r in rows if r.kind == "hit")
    qtmodeltester.check(box.model, force_py=False)
    # Headings cannot be chosen; results can.
    header_row = next(i for i, r in enumerate(rows) if r.kind == "header")
    assert not box.model.flags(box.model.index(header_row)) & Qt.ItemFlag.ItemIsSelectable
    # Results carry words for screen readers, and the box says how many there are.
    hit = next(i for i, r in enumerate(rows) if r.kind == "hit")
    assert box.model.index(hit).data(Qt.ItemDataRole.AccessibleTextRole).startswith("People: ")
    assert "results shown" in box.accessibleDescription()


def test_down_and_enter_open_the_record_and_the_keyboard_never_leaves_the_box(window, qtbot):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "zoe")
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.hasFocus()
    chosen = box.current_row()
    assert chosen.kind == "hit"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert not box.popup.isVisible()
    page = window.current_page()
    assert page is window.pages[chosen.section]
    if chosen.section == "applicants":
        assert page.list.selected_row()["id"] == chosen.entity_id


def test_enter_with_nothing_chosen_opens_the_first_result(window, qtbot):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "forum")
    first = next(r for r in box.model.rows if r.kind == "hit")
    qtbot.keyClick(box, Qt.Key.Key_Enter)
    assert window.current_page() is window.pages[first.section] and first.section == "meetings"


def test_escape_closes_the_results_then_clears_the_box(window, qtbot):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "isva")
    assert box.popup.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.popup.isVisible() and box.text() == "isva"
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""


def test_non_ascii_typing_finds_the_same(window, qtbot):
    box = window.search
    box.setFocus()
    box.setText("Zoë")  # setText: non-ASCII keyClicks abort PySide6 6.12
    box.run_search()
    assert any("Zoë" in r.text for r in box.model.rows if r.kind == "hit")


def test_nothing_found_says_so(window, qtbot):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "qqqxxyyzz")
    assert [r.kind for r in box.model.rows] == ["message"]
    assert box.open_current() is False


def test_show_all_opens_the_list_filtered_by_the_same_words(window, qtbot):
    box = window.search
    box.setFocus()
    type_into(qtbot, box, "court")
    more = next((i for i, r in enumerate(box.model.rows) if r.kind == "more"), None)
    assert more is not None
    box.popup.setCurrentIndex(box.model.index(more))
    row = box.model.rows[more]
    qtbot.keyClick(box, Qt.Key.Key_Return)
    page = window.current_page()
    assert page is window.pages[row.section]
    assert page.list.filter_edit.text() == "court"
    assert page.list.model.text() == "court"


def test_rows_for_an_empty_search_is_empty():
    from lived_experience.search.service import SearchResults

    assert rows_for(SearchResults("  ", [])) == []
    assert ResultsModel().rowCount() == 0
