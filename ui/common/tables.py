"""Read-only tables the sections share: a base model (select, never edit), a model over
plain rows with a column per function, and the settings every such table view gets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.common.forms import a11y
from ui.common.roles import RowRole


class ReadOnlyTableModel(QAbstractTableModel):
    """Rows the user can select but never edit, under one header a column. Subclasses keep
    their rows in ``rows`` and their headers in ``_headers`` (or give ``header_texts``), and
    the cells (``data``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Any] = []
        self._headers: list[str] = []

    def header_texts(self) -> Sequence[str]:
        return self._headers

    def header_tip(self, section: int) -> str | None:
        """The tooltip of a column's header; none unless a subclass says."""
        return None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.header_texts())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal:
            headers = self.header_texts()
            if not 0 <= section < len(headers):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return headers[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.header_tip(section)
            return None
        return section + 1 if role == Qt.ItemDataRole.DisplayRole else None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]


class ColumnsModel(ReadOnlyTableModel):
    """Plain rows (dataclasses) as a read-only table, each column a header and a function
    giving its text; the row object under ``RowRole``. Subclasses add other roles in
    ``cell_data``."""

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def header_texts(self) -> Sequence[str]:
        return [c.header for c in self.columns]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or index.column() >= len(self.columns):
            return None
        row, col = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return col.text(row) or ""
        if role == RowRole:
            return row
        return self.cell_data(row, col, role)

    def cell_data(self, row: Any, column: Column, role: int):
        return None


def read_only_rows(view: QTableView, model: QAbstractTableModel, name: str, description: str, *,
                   word_wrap: bool = False, stretch_last: bool = True) -> QTableView:
    """``view`` shows ``model`` one row at a time: selected whole, never edited, named for
    screen readers; Tab leaves the table rather than walking its cells."""
    view.setModel(model)
    a11y(view, name, description)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)
    view.setWordWrap(word_wrap)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view
