"""Every focusable control in the app has an accessible name and description: a walk through every section,
every tab of it, and every dialog its buttons open (with a row selected, so that the buttons that need one
are enabled). A screen-reader user hears a name for each stop of the Tab key, and what it does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QMenu,
    QTabWidget,
    QWidget,
)

from ui.shell.sections import SECTIONS

# Containers Qt gives the focus policy of their own; they are not a stop for the Tab key of their own.
NOT_CONTROLS = {"QScrollArea", "QSplitterHandle", "QStackedWidget", "_Scroller", "QTabWidget"}


def unnamed(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.focusPolicy().value == 0 or not w.isVisibleTo(root.window()) or not w.isEnabled():
            continue
        if w.metaObject().className() in NOT_CONTROLS or type(w).__name__ in NOT_CONTROLS:
            continue
        parent = w.parentWidget()
        if w.objectName().startswith("qt_") and isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the line edit inside a spin box or editable combo: its parent carries the name
        if isinstance(parent, QAbstractScrollArea) and w is parent.viewport():
            continue  # a scroll area's (or chart's) surface: the area itself carries the name
        if isinstance(w, QLabel) and w.text().strip():
            continue  # selectable text: a screen reader reads the text itself
        if not w.accessibleName().strip() or not w.accessibleDescription().strip():
            text = getattr(w, "text", None)
            label = text() if callable(text) else ""
            out.append(f"{root.windowTitle() or root.accessibleName()}: {w.metaObject().className()} "
                       f"name={w.accessibleName()!r} text={label!r}")
    return out


def every_tab(root: QWidget):
    """Show each tab of each tab widget in turn (nested ones too), yielding once per tab shown."""
    yield
    for tabs in root.findChildren(QTabWidget):
        if not tabs.isVisibleTo(root.window()):
            continue
        for i in range(tabs.count()):
            if tabs.isTabEnabled(i):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                yield


def select_first_rows(root: QWidget) -> None:
    from PySide6.QtWidgets import QAbstractItemView

    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(root.window()) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))


class DialogWalker:
    """Closes whatever a button opens (dialogs, message boxes, menus), checking it first."""

    def __init__(self):
        self.problems: list[str] = []
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self.tick)

    def check(self, widget: QWidget) -> None:
        self.seen.append(widget.windowTitle() or type(widget).__name__)
        self.problems.extend(unnamed(widget))

    def tick(self) -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            popup.close()
            return
        modal = QApplication.activeModalWidget()
        if modal is not None:
            self.check(modal)
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()
            return
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                self.check(w)
                w.reject()


@pytest.fixture
def declining(interaction):
    """Whatever a button asks, the answer is no, and no file is chosen: nothing is changed by the walk."""
    interaction.answers.update(confirm=False, save_file=None, open_file=None)
    return interaction


def walk(window, page: QWidget, *, skip=()) -> tuple[list[str], DialogWalker]:
    """Every tab of ``page``, with first rows selected, and every dialog its enabled buttons open
    (but not the buttons in ``skip``): the unnamed controls found, and the walker (what it saw)."""
    walker = DialogWalker()
    walker.timer.start()
    problems: list[str] = []
    try:
        for _ in every_tab(page):
            select_first_rows(page)
            QApplication.processEvents()
            problems += unnamed(page)
            for button in page.findChildren(QAbstractButton):
                if not (button.isVisibleTo(window) and button.isEnabled()) or button.isCheckable():
                    continue
                if button in skip or button.metaObject().className() in ("QTabBar", "CloseButton") or \
                        button.objectName().startswith("qt_"):
                    continue
                button.click()
                QApplication.processEvents()
                walker.tick()
    finally:
        walker.timer.stop()
    return problems + walker.problems, walker


# Menus that buttons open (Move to...) ask the offscreen platform for things it does not have.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing")
@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
def test_every_control_on_every_page_and_its_dialogs_has_a_name_and_description(window, declining, key):
    page = window.show_section(key)
    QApplication.processEvents()
    problems, walker = walk(window, page)
    assert sorted(set(problems)) == []
    if key in ("applicants", "meetings", "feedback", "commissioning", "admin", "recruitment"):
        assert walker.seen, f"no dialog was opened on {key}: the walk did not reach them"


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing",
                           "This plugin does not support QPlatformServices::openDocument")
def test_an_opened_meeting_its_tabs_and_their_dialogs(window, declining):
    """The page of one meeting (details, invitations and attendance, agenda and papers, actions...) is a
    page of its own, reached from the list: walked tab by tab like the sections."""
    page = window.show_section("meetings")
    QApplication.processEvents()
    select_first_rows(page)
    page.open_selected()
    QApplication.processEvents()
    view = page.meeting_view
    assert page.stack.currentWidget() is view and view.tabs.count() >= 4
    problems, walker = walk(window, view, skip=(view.back_btn,))
    assert sorted(set(problems)) == []
    assert walker.seen, "no dialog was opened from the meeting's page: the walk did not reach them"
    assert page.stack.currentWidget() is view  # the walk never left the meeting


def test_the_shell_and_its_own_dialogs(window, qtbot):
    problems = unnamed(window)
    walker = DialogWalker()
    walker.timer.start()
    try:
        window._about()  # Help > About
        window.search.focus_search()
        window.search.setText("zo")
        window.search.run_search()
        problems += unnamed(window)
    finally:
        walker.timer.stop()
    assert "About Lived Experience" in walker.seen
    assert sorted(set(problems + walker.problems)) == []


def test_sign_in_and_first_administrator_dialogs(state):
    from ui.security.signin import ChangePasswordDialog, FirstAdminDialog, SignInDialog

    for cls in (SignInDialog, FirstAdminDialog, ChangePasswordDialog):
        dlg = cls(state)
        dlg.show()
        QApplication.processEvents()
        assert unnamed(dlg) == [], cls.__name__
        dlg.reject()
        dlg.deleteLater()
