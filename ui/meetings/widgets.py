"""Small building blocks for the meetings views: a read-only table model over plain
rows, accessible buttons and tables, and the one place dialogs are run (tests
replace ``run_dialog`` to fill a dialog in by keyboard and press OK)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QPushButton, QTableView

from ui.common.forms import a11y
from ui.common.roles import RowRole


def run_dialog(dialog) -> bool:
    """Show a dialog modally; True when the user pressed OK (tests replace this)."""
    return bool(dialog.exec())


def open_external(path: str) -> bool:
    """Open a file in the program the PC uses for it (PDF viewer, Outlook). Tests replace this."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]


class RowsModel(QAbstractTableModel):
    """Plain rows (dataclasses) as a read-only table; the row object under ``RowRole``."""

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.columns[index.column()].text(row) or ""
        if role == RowRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RowsTable(QTableView):
    """A keyboard-friendly table: Enter on a row emits ``activated_row``."""

    activated_row = Signal(object)

    def __init__(self, model: RowsModel, name: str, description: str, parent=None):
        super().__init__(parent)
        self.setModel(model)
        a11y(self, name, description)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.doubleClicked.connect(lambda idx: self._activate(idx))

    def _activate(self, index) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is not None:
            self.activated_row.emit(row)

    def keyPressEvent(self, event):  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            return
        super().keyPressEvent(event)

    def current_row(self):
        idx = self.currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def select_first(self) -> None:
        if self.model().rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.model().index(0, 0))

    def fit_columns(self, widths: Sequence[int] = ()) -> None:
        for i, w in enumerate(widths):
            self.setColumnWidth(i, w)


def button(text: str, description: str, slot=None, *, name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    a11y(b, name or text.replace("&", "").rstrip("…").strip(), description)
    if slot is not None:
        b.clicked.connect(lambda _checked=False: slot())
    return b
