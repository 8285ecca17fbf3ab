"""The search box in the main window's toolbar (Ctrl+K).

Results appear below it as you type, grouped by kind. The keyboard stays in
the box: Down and Up choose a result, Enter opens it (the first one if none is
chosen), Escape closes the results and a second Escape clears the box. A
click opens a result too. "Show all" lines open the section's list filtered by
the same words.

Only Qt is imported here (the window paints before the database layer is
loaded); the search service is imported on first use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QListView,
    QSizePolicy,
    QToolBar,
    QWidget,
)

log = logging.getLogger(__name__)

DELAY_MS = 120
SHORTCUT = "Ctrl+K"


@dataclass(frozen=True)
class Row:
    kind: str  # "header", "hit", "more" or "message"
    text: str
    accessible: str
    section: str = ""
    entity: str = ""
    entity_id: int = 0

    @property
    def selectable(self) -> bool:
        return self.kind in ("hit", "more")


def rows_for(results) -> list[Row]:
    """The popup's lines for a ``SearchResults``: a heading per kind, its hits, "show all"."""
    if not results.words:
        return []
    if results.empty:
        return [Row("message", f"Nothing matches \u201c{results.text.strip()}\u201d",
                    f"Nothing matches {results.text.strip()}")]
    out: list[Row] = []
    for group in results.groups:
        out.append(Row("header", group.kind.label, f"{group.kind.label}:"))
        for h in group.hits:
            out.append(Row("hit", f"    {h.title}  \u2014  {h.detail}", f"{group.kind.label}: {h.title}, {h.detail}",
                           h.section, h.entity, h.entity_id))
        if group.more:
            label = f"Show all matching {group.kind.label.lower()} in {_section_title(group.kind.section)}\u2026"
            out.append(Row("more", f"    {label}", label, group.kind.section, "", 0))
    return out


def _section_title(key: str) -> str:
    from ui.shell.sections import SECTIONS

    return next((s.title for s in SECTIONS if s.key == key), key)


class ResultsModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return row.accessible
        if role == Qt.ItemDataRole.FontRole and row.kind in ("header", "more", "message"):
            f = QFont()
            f.setBold(row.kind == "header")
            f.setItalic(row.kind != "header")
            return f
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.rows[index.row()].selectable:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled

    def selectable_rows(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.selectable]


class ResultsPopup(QListView):
    """The results, floating over the window below the box. Never takes the keyboard."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("searchResults")
        self.setAccessibleName("Search results")
        self.setAccessibleDescription("Results grouped by kind; Down and Up in the search box choose one, "
                                      "Enter opens it")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)
        self.setSpacing(1)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hide()


class SearchBox(QLineEdit):
    """Type to search everything; results open through ``window.open_record``."""

    opened = Signal(str, str, int)  # section, entity, id

    def __init__(self, window: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ = window
        self.state = None
        self.setObjectName("searchBox")
        self.setPlaceholderText(f"Search people, applications, meetings, feedback, services\u2026  ({SHORTCUT})")
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Search everything")
        self.setAccessibleDescription("Type any words: people, applications, meetings, feedback and services "
                                      "that match appear below. Down and Up choose, Enter opens.")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 52)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setEnabled(False)
        self.model = ResultsModel(self)
        self.popup = ResultsPopup(window)
        self.popup.setModel(self.model)
        self.popup.clicked.connect(self._clicked)
        self.results = None  # the last SearchResults
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.textChanged.connect(self._text_changed)
        window.installEventFilter(self)

    def attach(self, state) -> None:
        self.state = state
        self.setEnabled(True)
        state.changed.connect(self._records_changed)

    # -- searching --------------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        if not text.strip():
            self._timer.stop()
            self.model.set_rows([])
            self.hide_results()
            return
        self._timer.start()

    def _records_changed(self, _entity: str) -> None:
        if self.popup.isVisible():
            self.run_search()

    def run_search(self) -> None:
        """Search now for what is in the box (the timer calls this as you type)."""
        self._timer.stop()
        if self.state is None:
            return
        from lived_experience.core.errors import UserError
        from lived_experience.search.service import search

        text = self.text()
        try:
            self.results = search(self.state.ctx, text)
            rows = rows_for(self.results)
        except UserError as exc:
            rows = [Row("message", exc.message, exc.message)]
        except Exception:  # noqa: BLE001 - never a crash while typing; the details go to the log
            log.exception("search failed")
            rows = [Row("message", "The search could not be run; the details are in the log file.",
                        "The search could not be run")]
        self.model.set_rows(rows)
        hits = sum(1 for r in rows if r.kind == "hit")
        self.setAccessibleDescription(f"{hits} result{'s' if hits != 1 else ''} shown. Down and Up choose, "
                                      "Enter opens." if rows else "Type any words to search everything.")
        if rows and self.hasFocus():
            self.show_results()
        elif not rows:
            self.hide_results()

    # -- the results popup ------------------------------------------------------------------------
    def show_results(self) -> None:
        win = self.window_
        popup = self.popup
        below = self.mapTo(win, QPoint(0, self.height()))
        frame = 2 * popup.frameWidth()
        scrollbar = popup.verticalScrollBar().sizeHint().width()
        # Wide enough for the longest line (no sideways scrolling), never wider than the window.
        bold = QFont(popup.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)  # bold is the widest; the lines are short enough to measure all
        wanted = max((metrics.horizontalAdvance(r.text) for r in self.model.rows), default=0) \
            + frame + scrollbar + 24
        width = min(max(self.width(), wanted), win.width() - 20)
        x = min(below.x() + self.width() - width, win.width() - width - 10)
        x = max(10, x)
        rows = max(1, min(self.model.rowCount(), 24))
        per_row = popup.sizeHintForRow(0) + 2 * popup.spacing()
        height = per_row * rows + frame + 2 * popup.spacing() + 4
        height = min(height, win.height() - below.y() - 10)
        self.popup.setGeometry(x, below.y() + 2, width, max(height, 40))
        self.popup.show()
        self.popup.raise_()

    def hide_results(self) -> None:
        self.popup.hide()

    def current_row(self) -> Row | None:
        idx = self.popup.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() and idx.row() < len(self.model.rows) else None

    def _move(self, step: int) -> None:
        rows = self.model.selectable_rows()
        if not rows:
            return
        if not self.popup.isVisible():
            self.show_results()
        cur = self.popup.currentIndex().row() if self.popup.currentIndex().isValid() else -1
        if step > 0:
            nxt = next((r for r in rows if r > cur), rows[-1] if cur >= 0 else rows[0])
        else:
            nxt = next((r for r in reversed(rows) if r < cur), rows[0])
        idx = self.model.index(nxt, 0)
        self.popup.setCurrentIndex(idx)
        self.popup.scrollTo(idx)

    def open_current(self) -> bool:
        """Open the chosen result (or the first one). False when there is nothing to open."""
        if self._timer.isActive():
            self.run_search()
        row = self.current_row()
        if row is None or not row.selectable:
            first = self.model.selectable_rows()
            row = self.model.rows[first[0]] if first else None
        if row is None:
            return False
        self._open(row)
        return True

    def _clicked(self, index) -> None:
        row = self.model.rows[index.row()] if index.isValid() else None
        if row is not None and row.selectable:
            self._open(row)

    def _open(self, row: Row) -> None:
        self.hide_results()
        if row.kind == "more":
            page = self.window_.show_section(row.section)
            lst = getattr(page, "list", None)
            if lst is not None:
                lst.filter_edit.setText(self.text())
                lst.model.set_text(self.text())
                lst.table.setFocus()
            return
        self.opened.emit(row.section, row.entity, row.entity_id)
        opener = getattr(self.window_, "open_record", None)
        if opener is not None:
            opener(row.section, row.entity, row.entity_id)

    # -- keyboard and focus -----------------------------------------------------------------------
    def keyPressEvent(self, event):
        key = event.key()
        if key == Qt.Key.Key_Down:
            self._move(+1)
            return
        if key == Qt.Key.Key_Up:
            self._move(-1)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return
        if key == Qt.Key.Key_Escape:
            if self.popup.isVisible():
                self.hide_results()
            elif self.text():
                self.clear()
            else:
                super().keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event):
        super().focusInEvent(event)
        if self.model.rowCount() and self.text().strip():
            self.show_results()

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        # A click on a result arrives after focus moves; let it land first.
        QTimer.singleShot(150, self, self._hide_if_unfocused)

    def _hide_if_unfocused(self) -> None:
        if not self.hasFocus():
            self.hide_results()

    def eventFilter(self, obj, event):
        if obj is self.window_ and event.type() == QEvent.Type.Resize and self.popup.isVisible():
            self.show_results()
        return super().eventFilter(obj, event)

    def focus_search(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()


def install_search(window) -> SearchBox:
    """Add the search toolbar and Ctrl+K to the main window; returns the box."""
    bar = QToolBar("Search", window)
    bar.setObjectName("searchToolbar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setAccessibleName("Search")
    spacer = QWidget(bar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    box = SearchBox(window, bar)
    bar.addWidget(box)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    action = QAction("&Search everything\u2026", window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(box.focus_search)
    window.addAction(action)
    box.action = action
    box.toolbar = bar
    return box
