"""A lazy table model over a list spec: pages are fetched from the database as
the view scrolls (canFetchMore/fetchMore), filtering and sorting happen in SQL.

With ``demo --scale 100`` a list opens by reading one page, not every row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ui.common.roles import RawRole, RowRole

log = logging.getLogger(__name__)

PAGE_SIZE = 200

Fetch = Callable[..., Any]  # (text, filters, sort, descending, offset, limit) -> Page


class PagedTableModel(QAbstractTableModel):
    loaded = Signal(int)  # total rows matching
    failed = Signal(object)  # an exception the view should show

    def __init__(self, fetch: Fetch, *, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._fetch = fetch
        self._page_size = page_size
        self._columns: list = []
        self._rows: list[dict] = []
        self._total = 0
        self._text = ""
        self._filters: dict = {}
        self._sort: str | None = None
        self._desc = False
        self._display: Callable[[Any, Any], str] | None = None
        self._hidden_keys: set[str] = set()

    # -- configuration ---------------------------------------------------------
    def set_display(self, fn: Callable[[Any, Any], str]) -> None:
        self._display = fn

    @property
    def columns(self) -> list:
        return self._columns

    def visible_columns(self) -> list:
        return [c for c in self._columns if not c.hidden]

    @property
    def total(self) -> int:
        return self._total

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.refresh()

    def set_filter(self, key: str, value) -> None:
        if value in (None, ""):
            self._filters.pop(key, None)
        else:
            self._filters[key] = value
        self.refresh()

    def filters(self) -> dict:
        return dict(self._filters)

    def text(self) -> str:
        return self._text

    def sort_state(self) -> tuple[str | None, bool]:
        return self._sort, self._desc

    # -- loading -----------------------------------------------------------------
    def _load(self, offset: int):
        return self._fetch(text=self._text, filters=self._filters, sort=self._sort,
                           descending=self._desc, offset=offset, limit=self._page_size)

    def refresh(self) -> None:
        try:
            page = self._load(0)
        except Exception as exc:  # noqa: BLE001 - shown by the view
            self.beginResetModel()
            self._rows, self._total = [], 0
            self.endResetModel()
            self.failed.emit(exc)
            return
        self.beginResetModel()
        self._columns = page.columns
        self._rows = list(page.rows)
        self._total = page.total
        self.endResetModel()
        self.loaded.emit(self._total)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid():
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.canFetchMore():
            return
        try:
            page = self._load(len(self._rows))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(exc)
            return
        if not page.rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    # -- Qt model API ------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.visible_columns())

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            cols = self.visible_columns()
            if 0 <= section < len(cols):
                if role == Qt.ItemDataRole.DisplayRole:
                    return cols[section].header
                if role == Qt.ItemDataRole.ToolTipRole:
                    c = cols[section]
                    return f"{c.header}" + ("" if c.sortable else " (cannot be sorted)")
        elif role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cols = self.visible_columns()
        if index.column() >= len(cols):
            return None
        row = self._rows[index.row()]
        col = cols[index.column()]
        value = row.get(col.key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(value, col) if self._display else ("" if value is None else str(value))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.kind in ("int", "money", "float"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return row
        if role == RawRole:
            return value
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        cols = self.visible_columns()
        if not (0 <= column < len(cols)) or not cols[column].sortable or cols[column].expr is None:
            return
        self._sort = cols[column].key
        self._desc = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def row_at(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_rows(self) -> list[dict]:
        return list(self._rows)
