"""The dashboard: counts at the top, what needs doing below; each line opens its record."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core.formatting import uk_date
from lived_experience.dashboard.service import CATEGORIES, DueItem, counts, due_items
from ui.common.roles import RowRole
from ui.common.section_page import heading

SEVERITY = {2: "Overdue", 1: "Due", 0: "Note"}
# Text says it; colour only repeats it (never colour alone). Dark enough for 4.5:1 on white.
SEVERITY_COLOUR = {2: "#8B0000", 1: "#7A4B00", 0: "#1F3864"}


class DueModel(QAbstractTableModel):
    HEADERS = ["", "What needs doing", "Area", "Date"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[DueItem] = []

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = sorted(items, key=lambda i: (-i.severity, list(CATEGORIES).index(i.category)))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] or "Urgency"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return [SEVERITY[item.severity], item.text, item.heading, uk_date(item.since)][col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor(SEVERITY_COLOUR[item.severity]))
        if role == RowRole:
            return item
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags


class DashboardPage(QWidget):
    REFRESH_MS = 60_000

    def __init__(self, state, window=None):
        super().__init__(window)
        self.state = state
        self.window_ = window
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Dashboard", "What needs doing today. Select a line and press Enter to open it."))
        self.tiles: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, (key, label) in enumerate(CATEGORIES.items()):
            b = QPushButton()
            b.setObjectName("tile")
            b.setAccessibleName(label)
            b.setAccessibleDescription(f"Show only: {label.lower()}")
            b.setCheckable(True)
            b.clicked.connect(lambda checked, k=key: self._filter(k if checked else None))
            self.tiles[key] = b
            grid.addWidget(b, i // 4, i % 4)
        lay.addLayout(grid)
        self.model = DueModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("What needs doing")
        self.table.setAccessibleDescription("Each line is something to do; Enter or double-click opens its record")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.empty = QLabel("Nothing needs doing today.")
        self.empty.setAccessibleName("Nothing needs doing")
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        self._all: list[DueItem] = []
        self._only: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(self.REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        state.changed.connect(lambda _e: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        try:
            self._all = due_items(self.state.ctx)
        except Exception as exc:  # noqa: BLE001
            self.state.interaction.error(exc)
            return
        n = counts(self._all)
        for key, b in self.tiles.items():
            b.setText(f"{n.get(key, 0)}\n{CATEGORIES[key]}")
        self._apply()

    def _filter(self, key: str | None) -> None:
        self._only = key
        for k, b in self.tiles.items():
            b.setChecked(k == key)
        self._apply()

    def _apply(self) -> None:
        items = [i for i in self._all if self._only is None or i.category == self._only]
        self.model.set_items(items)
        self.table.resizeColumnToContents(0)
        self.empty.setVisible(not items)

    def _open(self, index) -> None:
        item = index.data(RowRole)
        if item is not None and self.window_ is not None and hasattr(self.window_, "open_record"):
            self.window_.open_record(item.section, item.entity, item.entity_id)

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()
