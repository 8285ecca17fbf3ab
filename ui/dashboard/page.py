"""The dashboard: counts at the top, what needs doing below; each line opens its record.

It keeps itself up to date: when records change (``state.changed``), when it
is shown, and every minute (dates move on). While hidden it only notes that
it is out of date and catches up when shown again.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core import clock
from lived_experience.core.formatting import uk_date, uk_time
from lived_experience.dashboard.service import (
    CATEGORIES,
    SEVERITY_LABELS,
    SHORT,
    DueItem,
    counts,
    due_items,
)
from ui.common.roles import RowRole
from ui.common.section_page import heading
from ui.theme import severity_colour


class DueModel(QAbstractTableModel):
    HEADERS = ["Urgency", "What needs doing", "Area", "Date"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[DueItem] = []
        self._shown: list[tuple[str, str, str, str]] = []
        self._tips: list[tuple[str, str, str, str]] = []

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = list(items)  # already in order: most urgent first
        # The words of each line, worked out once: a view asks for them on every repaint.
        self._shown = [(i.severity_label, i.text, SHORT.get(i.category, i.heading), uk_date(i.since))
                       for i in self.items]
        self._tips = [(i.severity_label, i.text, i.heading, shown[3]) for i, shown in zip(self.items, self._shown,
                                                                                          strict=True)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.items):
            return None
        row, col = index.row(), index.column()
        item = self.items[row]
        if role == Qt.ItemDataRole.DisplayRole:
            # The area in the tiles' short words, so that the line itself has the room.
            return self._shown[row][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[row][col]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            # A screen reader hears the whole line, urgency first.
            return f"{item.severity_label}: {item.text}" if col == 1 else self._tips[row][col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            # The colour repeats what the word says; never colour alone.
            return QBrush(severity_colour(item.severity))
        if role == Qt.ItemDataRole.FontRole and col == 0 and item.severity == 2:
            f = QFont()
            f.setBold(True)
            return f
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
        self._all: list[DueItem] = []
        self._only: str | None = None
        self._stale = True
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Dashboard", "What needs doing today. Choose a count to see only that kind; "
                                           "select a line and press Enter to open its record."))
        self.tiles: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, (key, label) in enumerate(CATEGORIES.items()):
            b = QPushButton()
            b.setObjectName("tile")
            b.setCheckable(True)
            b.setAccessibleDescription(f"Show only {label.lower()}; press again to show everything")
            b.setToolTip(f"{label}: choose to show only these")
            b.clicked.connect(lambda checked, k=key: self._filter(k if checked else None))
            self.tiles[key] = b
            grid.addWidget(b, i // 4, i % 4)
        lay.addLayout(grid)
        status = QHBoxLayout()
        self.showing = QLabel()
        self.showing.setAccessibleName("What the list shows")
        self.updated = QLabel()
        self.updated.setAccessibleName("When the dashboard was last brought up to date")
        status.addWidget(self.showing, 1)
        status.addWidget(self.updated)
        lay.addLayout(status)
        self.model = DueModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("What needs doing")
        self.table.setAccessibleDescription("Each line is something to do, most urgent first; "
                                            "Enter or double-click opens its record")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Urgency, area and date take a few known words: their columns are sized from those words, not by
        # measuring every line (thousands of them with a big data set: a second at start-up).
        for col in (0, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()
        app = QApplication.instance()
        if app is not None:
            app.fontChanged.connect(self._font_changed)  # a method: disconnected when the page goes
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.empty = QLabel("Nothing needs doing today.")
        self.empty.setAccessibleName("Nothing needs doing")
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        self.timer = QTimer(self)
        self.timer.setInterval(self.REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        state.changed.connect(self._on_changed)
        self.refresh()

    def _font_changed(self, _font) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        bold = QFont(self.table.font())
        bold.setBold(True)
        words = {0: [*SEVERITY_LABELS.values()], 2: [*SHORT.values()], 3: ["00/00/0000"]}
        header = self.table.horizontalHeader()
        pad = 4 * self.table.fontMetrics().averageCharWidth()
        for col, texts in words.items():
            metrics = QFontMetrics(bold if col == 0 else self.table.font())
            wanted = max(metrics.horizontalAdvance(t) for t in texts)
            heading = header.fontMetrics().horizontalAdvance(DueModel.HEADERS[col])
            header.resizeSection(col, max(wanted, heading) + pad)

    # -- keeping up to date ----------------------------------------------------------------------
    def _on_changed(self, _entity: str) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        try:
            self._all = due_items(self.state.ctx)
        except Exception as exc:  # noqa: BLE001 - shown, never raised into Qt
            self.state.interaction.error(exc)
            return
        self._stale = False
        n = counts(self._all)
        for key, b in self.tiles.items():
            b.setText(f"{n.get(key, 0)}\n{SHORT[key]}")
            b.setAccessibleName(f"{CATEGORIES[key]}: {n.get(key, 0)}")
        self.updated.setText(f"Up to date at {uk_time(clock.now())}")
        self._apply()

    # -- filtering and opening ------------------------------------------------------------------
    def _filter(self, key: str | None) -> None:
        self._only = key
        for k, b in self.tiles.items():
            b.setChecked(k == key)
        self._apply()

    def _apply(self) -> None:
        items = [i for i in self._all if self._only is None or i.category == self._only]
        current = self.table.currentIndex().data(RowRole)
        self.model.set_items(items)
        if current is not None and current in items:
            row = items.index(current)
            self.table.selectRow(row)
        total = len(self._all)
        if self._only is None:
            self.showing.setText(f"Showing everything: {total} line{'s' if total != 1 else ''}")
            self.empty.setText("Nothing needs doing today.")
        else:
            self.showing.setText(f"Showing only {CATEGORIES[self._only].lower()}: {len(items)} of {total}")
            self.empty.setText(f"Nothing under {CATEGORIES[self._only].lower()} today.")
        self.empty.setVisible(not items)

    def _open(self, index) -> None:
        item = index.data(RowRole)
        if item is not None and self.window_ is not None and hasattr(self.window_, "open_record"):
            self.window_.open_record(item.section, item.entity, item.entity_id)
