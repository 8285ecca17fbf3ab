"""The main window: a shell of navigation and actions, not a god class.

It paints before the database layer is even imported (start-up speed); the
pages are built when the services are attached, each on first use.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from ui.search.box import install_search
from ui.shell.sections import SECTIONS, Section, load_factory
from ui.theme import install_view_menu

if TYPE_CHECKING:
    from ui.state import AppState

APP_TITLE = "Lived Experience"


class _Scroller(QScrollArea):
    """Holds a section page. A page that needs more room than the window has (a small screen,
    a large system font) scrolls, instead of pushing the window wider than the screen and
    squeezing the sidebar."""

    def __init__(self, page: QWidget):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(page.accessibleName() or "Section")
        self.setWidget(page)


def _name_tab_bars(page: QWidget) -> None:
    """A tab bar is a stop for the Tab key of its own: one left unnamed takes its tab widget's name."""
    from PySide6.QtWidgets import QTabWidget

    for tabs in page.findChildren(QTabWidget):
        bar = tabs.tabBar()
        if not bar.accessibleName() and tabs.accessibleName():
            bar.setAccessibleName(f"{tabs.accessibleName()} tabs")
        if not bar.accessibleDescription() and tabs.accessibleName():
            names = ", ".join(tabs.tabText(i).replace("&", "") for i in range(tabs.count()))
            bar.setAccessibleDescription(f"{names}; Ctrl+Tab moves to the next")


class MainWindow(QMainWindow):
    first_painted = Signal(float)
    ready = Signal()

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName("Lived Experience main window")
        self.qsettings = settings or QSettings()
        self.state: AppState | None = None
        self.pages: dict[str, QWidget] = {}
        self._holders: dict[str, QScrollArea] = {}
        self._painted = False

        self.nav = QListWidget()
        self.nav.setAccessibleName("Sections")
        self.nav.setAccessibleDescription("Choose a section of the app; Ctrl+1 to Ctrl+0 jump straight to one")
        self.nav.setObjectName("navigation")
        for i, section in enumerate(SECTIONS):
            item = QListWidgetItem(section.title)
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            item.setSizeHint(QSize(0, self.fontMetrics().height() * 2 + 4))
            item.setToolTip(section.description + (f"  (Ctrl+{(i + 1) % 10})" if i < 10 else ""))
            self.nav.addItem(item)
        self.nav.setSpacing(1)
        self._fit_navigation()

        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Section content")
        self.loading = QLabel("Opening the database…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setAccessibleName("Opening the database")
        self.stack.addWidget(self.loading)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        # The sidebar keeps its width in every section: the section takes what the window gains.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([self.nav.minimumWidth(), 1200 - self.nav.minimumWidth()])
        self.setCentralWidget(self.splitter)
        app = QApplication.instance()
        if app is not None:
            app.fontChanged.connect(self._font_changed)  # a method: disconnected when the window goes

        self.db_label = QLabel()
        self.db_label.setAccessibleName("Database in use")
        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed-in user")
        self.statusBar().addPermanentWidget(self.db_label)
        self.statusBar().addPermanentWidget(self.user_label)

        self._build_menus()
        self.search = install_search(self)
        self.nav.currentRowChanged.connect(self._on_nav)
        for w in (self.nav.viewport(), self.loading, self.stack):
            w.installEventFilter(self)
        self.nav.setEnabled(False)
        self.resize(1200, 780)
        self._restore_geometry()

    def _font_changed(self, _font) -> None:
        self._fit_navigation()

    def _fit_navigation(self) -> None:
        """Wide enough for the longest section name in bold at the current font size, and no wider."""
        bold = QFont(self.nav.font())
        bold.setBold(True)
        fm = QFontMetrics(bold)
        width = max(fm.horizontalAdvance(s.title) for s in SECTIONS) + 4 * fm.height()
        self.nav.setMinimumWidth(width)
        self.nav.setMaximumWidth(2 * width)

    # -- menus and actions ---------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.backup_action = QAction("&Back up now…", self)
        self.backup_action.triggered.connect(self._backup)
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go = self.menuBar().addMenu("&Go")
        self.section_actions: dict[str, QAction] = {}
        for i, section in enumerate(SECTIONS):
            act = QAction(section.title, self)
            if i < 10:
                act.setShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"))
            act.triggered.connect(lambda _=False, k=section.key: self.show_section(k))
            go.addAction(act)
            self.addAction(act)
            self.section_actions[section.key] = act

        self.view_menu = install_view_menu(self)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Lived Experience", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    # -- attaching the services ------------------------------------------------------
    def attach(self, state: AppState) -> None:
        self.state = state
        self.search.attach(state)
        self.db_label.setText(f"Database: {state.ctx.db.display_name()}")
        self._show_actor()
        state.actor_changed.connect(self._show_actor)
        self.nav.setEnabled(True)
        self.nav.setFocus()
        last = self.qsettings.value("shell/section", "dashboard")
        self.show_section(last if any(s.key == last for s in SECTIONS) else "dashboard")
        self.ready.emit()

    def _show_actor(self) -> None:
        if self.state is not None:
            a = self.state.ctx.actor
            self.user_label.setText(f"Signed in: {a.display_name} ({a.role.label})")

    def section(self, key: str) -> Section:
        return next(s for s in SECTIONS if s.key == key)

    def show_section(self, key: str) -> QWidget | None:
        row = next((i for i, s in enumerate(SECTIONS) if s.key == key), None)
        if row is None:
            return None
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # triggers _on_nav
        else:
            self._on_nav(row)
        return self.pages.get(key)

    def _on_nav(self, row: int) -> None:
        if self.state is None or row < 0:
            return
        section = SECTIONS[row]
        page = self.pages.get(section.key)
        if page is None:
            page = load_factory(section)(self.state, self)
            page.setAccessibleName(section.title)
            page.setAccessibleDescription(section.description)
            _name_tab_bars(page)
            self._restore_splitters(section.key, page)
            self.pages[section.key] = page
            self._holders[section.key] = _Scroller(page)
            self.stack.addWidget(self._holders[section.key])
        self.stack.setCurrentWidget(self._holders[section.key])
        self.qsettings.setValue("shell/section", section.key)
        self.setWindowTitle(f"{section.title} - {APP_TITLE}")

    def open_record(self, section: str, entity: str, entity_id: int) -> None:
        """Go to a section and select a record in it (dashboard and search links)."""
        page = self.show_section(section)
        opener = getattr(page, "open_record", None)
        if opener is not None:
            opener(entity, entity_id)
            return
        lst = getattr(page, "list", None)
        if lst is not None and entity_id:
            lst.select_id(entity_id)

    def current_page(self) -> QWidget | None:
        current = self.stack.currentWidget()
        return current.widget() if isinstance(current, _Scroller) else current

    # -- window state -------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geo = self.qsettings.value("shell/geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geo))
        split = self.qsettings.value("shell/splitter")
        if isinstance(split, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(split))

    def _splitters(self, page: QWidget) -> list[QSplitter]:
        return page.findChildren(QSplitter)  # in the order they were made: the same every time

    def _restore_splitters(self, key: str, page: QWidget) -> None:
        """Each section's own dividers (list and details, and so on) come back where they were left."""
        for n, split in enumerate(self._splitters(page)):
            saved = self.qsettings.value(f"splitters/{key}/{n}")
            if isinstance(saved, QByteArray | bytes):
                split.restoreState(QByteArray(saved))

    def save_splitters(self) -> None:
        for key, page in self.pages.items():
            for n, split in enumerate(self._splitters(page)):
                self.qsettings.setValue(f"splitters/{key}/{n}", split.saveState())

    def closeEvent(self, event):
        self.qsettings.setValue("shell/geometry", self.saveGeometry())
        self.qsettings.setValue("shell/splitter", self.splitter.saveState())
        self.save_splitters()
        for page in self.pages.values():
            save = getattr(page, "save_layout", None)
            if save:
                save()
        super().closeEvent(event)

    def eventFilter(self, obj, event):
        # The window's own paintEvent may never run (its children cover it), so watch
        # the first child that paints.
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, lambda: self.first_painted.emit(time.perf_counter()))
        return super().eventFilter(obj, event)

    @property
    def has_painted(self) -> bool:
        return self._painted

    # -- actions ----------------------------------------------------------------------
    def _backup(self) -> None:
        if self.state is None:
            return
        from ui.admin.backup_actions import backup_now

        backup_now(self.state, self)

    def _about(self) -> None:
        from ui.shell.about import show_about

        show_about(self, self.state)
