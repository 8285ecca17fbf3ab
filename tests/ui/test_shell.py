"""The window's shell as a user meets it: a sidebar that keeps its width, pages that never push the window
wider than the screen, the keyboard given back after a dialog, lists that say why they are empty, the
first-run demo offer and the settings kept with LIVED_EXPERIENCE_HOME."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.shell.sections import SECTIONS


def settle(n: int = 5) -> None:
    for _ in range(n):
        QApplication.processEvents()


def test_the_sidebar_keeps_its_width_and_the_window_its_size_in_every_section(qtbot, state):
    from ui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(780, 560)  # smaller than any page would like, inside the offscreen screen
    w.show()
    w.attach(state)
    widths = {}
    for s in SECTIONS:
        w.show_section(s.key)
        settle()
        widths[s.key] = w.nav.width()
        assert w.width() == 780, f"{s.key} pushed the window wider"
    assert len(set(widths.values())) == 1, widths
    # Wide enough for the longest section name in bold, so no name is cut.
    assert widths["dashboard"] >= w.nav.minimumWidth()


def test_a_page_wider_than_the_window_scrolls_inside_it(window):
    page = window.show_section("applicants")
    holder = window.stack.currentWidget()
    assert window.current_page() is page and holder.widget() is page
    assert holder.focusPolicy() == Qt.FocusPolicy.NoFocus  # the scroller is not a stop for the Tab key


def test_the_applicants_toolbar_wraps_instead_of_widening_the_page(window):
    page = window.show_section("applicants")
    # Seven buttons, five filters, the count and Export side by side are far wider than this.
    assert page.minimumSizeHint().width() < 640


def test_flow_layout_wraps_when_narrow_and_grows_a_stretched_control():
    from ui.common.flow import FlowLayout

    host = QWidget()
    flow = FlowLayout(host)
    edit = QLineEdit()
    flow.addWidget(edit, 1)
    buttons = [QPushButton(f"Button number {i}") for i in range(4)]
    for b in buttons:
        flow.addWidget(b)
    one_line = flow.sizeHint()
    assert flow.heightForWidth(one_line.width() + 50) == flow.heightForWidth(10_000)
    assert flow.heightForWidth(one_line.width() // 2) > flow.heightForWidth(10_000)
    assert flow.minimumSize().width() <= max(b.sizeHint().width() for b in buttons + [edit])
    host.resize(one_line.width() + 200, 200)
    flow.setGeometry(host.rect())
    assert edit.width() >= edit.sizeHint().width() + 150  # the filter box takes the spare room
    assert len({b.y() for b in buttons}) == 1
    flow.setGeometry(host.rect().adjusted(0, 0, -one_line.width() // 2 - 200, 0))
    assert len({b.y() for b in buttons}) > 1
    host.deleteLater()


def test_the_keyboard_comes_back_to_the_window_after_a_dialog(qtbot, window):
    from ui.app import return_focus_after_dialogs

    return_focus_after_dialogs(QApplication.instance())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    dlg = QDialog(window)
    QVBoxLayout(dlg).addWidget(QLineEdit())
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=2000)
    dlg.hide()
    # Without a window manager nothing else would do this (the offscreen platform leaves it to nobody).
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "Members"


def test_an_empty_list_says_why(window, qtbot):
    page = window.show_section("applicants")
    lst = page.list
    lst.filter_edit.setText("zzzznobodyzzzz")
    qtbot.waitUntil(lambda: lst.model.rowCount() == 0 and lst.empty_label.isVisible(), timeout=2000)
    assert "Nothing matches the filter" in lst.empty_label.text()
    lst.filter_edit.clear()
    qtbot.waitUntil(lambda: lst.model.rowCount() > 0, timeout=2000)
    assert not lst.empty_label.isVisible()


def test_an_empty_database_says_there_is_nothing_yet(qtbot, ctx, interaction):
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.attach(AppState(ctx, interaction))
    page = w.show_section("meetings")
    settle()
    assert page.list.empty_label.isVisible()
    assert page.list.empty_label.text() == "Meetings: nothing recorded yet."


def test_dashboard_area_is_short_and_the_tooltip_says_it_in_full(window):
    from lived_experience.dashboard.service import CATEGORIES, SHORT

    page = window.show_section("dashboard")
    row = next(r for r, i in enumerate(page.model.items) if i.category == "feedback")
    idx = page.model.index(row, 2)
    assert idx.data() == SHORT["feedback"]
    assert idx.data(Qt.ItemDataRole.ToolTipRole) == CATEGORIES["feedback"]


def test_search_results_fit_their_lines_without_sideways_scrolling(window):
    box = window.search
    box.focus_search()
    box.setText("isva")
    box.run_search()
    box.show_results()
    popup = box.popup
    assert popup.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    longest = max(popup.fontMetrics().horizontalAdvance(r.text) for r in box.model.rows)
    assert popup.viewport().width() >= min(longest, window.width() - 80)
    # Every line is on screen when there are few enough to fit.
    if box.model.rowCount() <= 20:
        last = popup.visualRect(box.model.index(box.model.rowCount() - 1, 0))
        assert last.bottom() <= popup.viewport().height()
    box.clear()


def test_a_new_database_at_the_same_path_is_offered_the_demo_again(tmp_path):
    from ui import startup

    class FakeDb:
        def __init__(self, path: Path):
            self.sqlite_path = path

        def display_name(self) -> str:
            return str(self.sqlite_path)

    class FakeState:
        pass

    path = tmp_path / "x.sqlite3"
    path.write_text("one")
    fake = FakeState()
    fake.ctx = type("C", (), {"db": FakeDb(path)})()
    first = startup._demo_offer_key(fake)
    path.rename(tmp_path / "kept.sqlite3")  # the old file is kept, so its inode is not reused
    path.write_text("two")
    assert startup._demo_offer_key(fake) != first


@pytest.fixture
def restore_qsettings_path():
    original = Path(QSettings().fileName()).parent.parent
    yield
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(original))


def test_the_windows_settings_live_under_lived_experience_home(tmp_path, monkeypatch, restore_qsettings_path):
    from ui.app import keep_settings_under_home

    monkeypatch.setenv("LIVED_EXPERIENCE_HOME", str(tmp_path))
    keep_settings_under_home()
    assert Path(QSettings().fileName()).is_relative_to(tmp_path / "settings")


_LEAK = """
import sys
sys.path.insert(0, {root!r})
{prelude}
from PySide6.QtCore import QModelIndex, Qt
for _ in range(300_000):
    QModelIndex().data(Qt.ItemDataRole.UserRole)  # PySide6 6.12 drops a reference to None each time
print("survived")
"""


def _pyside_has_the_none_leak() -> bool:
    import PySide6

    return PySide6.__version__.startswith("6.12.")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
@pytest.mark.parametrize("prelude,survives", [
    pytest.param("", False, marks=pytest.mark.skipif(
        not _pyside_has_the_none_leak(), reason="this PySide6 keeps its references to None (6.12 did not)")),
    ("import ui", True),
])
def test_none_is_not_freed_by_qt_values_that_hold_nothing(prelude, survives):
    import subprocess

    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", _LEAK.format(root=root, prelude=prelude)], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    if survives:
        assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-500:]
    else:  # the bug the guard is for: if this starts passing, PySide6 has fixed it and the guard can go
        assert done.returncode != 0 and "deallocating None" in done.stderr


def test_each_sections_dividers_are_remembered(qtbot, state):
    from PySide6.QtWidgets import QSplitter

    from ui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(780, 560)
    w.show()
    w.attach(state)
    page = w.show_section("applicants")
    split = page.findChildren(QSplitter)[0]
    total = sum(split.sizes())
    split.setSizes([total - 330, 330])
    wanted = split.sizes()
    w.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.resize(780, 560)
    again.show()
    again.attach(state)
    split2 = again.show_section("applicants").findChildren(QSplitter)[0]
    assert split2.sizes() == wanted
