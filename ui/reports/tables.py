"""A read-only table of report figures (text already formatted by the service)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView


class FiguresModel(QAbstractTableModel):
    """Rows of strings under headers; the last row may be a bold total."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.bold_last = False

    def set_table(self, headers: list[str], rows: list[list[str]], *, bold_last: bool = False) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.bold_last = bold_last
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows) or index.column() >= len(self.headers):
            return None
        value = self.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return value
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.headers[index.column()]}: {value or 'blank'}" if index.column() else value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.bold_last and index.row() == len(self.rows) - 1:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags


def figures_view(name: str, description: str, model: FiguresModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setAccessibleDescription(description)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return view


def fit_width(view: QTableView) -> None:
    """Wide enough for every column, so nothing hides behind a horizontal scroll bar."""
    w = 2 * view.frameWidth() + 4
    for c in range(view.model().columnCount()):
        w += view.columnWidth(c)
    view.setMinimumWidth(w)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


def fit_height(view: QTableView) -> None:
    """Show every row without an inner scroll bar (the page scrolls instead)."""
    h = view.horizontalHeader().height() + 2 * view.frameWidth() + 2
    for r in range(view.model().rowCount()):
        h += view.rowHeight(r)
    view.setMinimumHeight(h)
    view.setMaximumHeight(h)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
