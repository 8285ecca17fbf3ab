"""A lazy table model over a list spec: pages are fetched from the database as
the view scrolls (canFetchMore/fetchMore), filtering and sorting happen in SQL.

With ``demo --scale 100`` a list opens by reading one page, not every row.
With ``count_in_background`` the first page is shown as soon as it is read and
the number of matching rows (a second, full query) is counted on a worker
thread: a keystroke in a filter box costs one page, not a page and a count.
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

    def __init__(self, fetch: Fetch, *, parent=None, page_size: int = PAGE_SIZE,
                 count_in_background: bool = False):
        super().__init__(parent)
        self._fetch = fetch
        self._page_size = page_size
        self._background_count = count_in_background
        self._generation = 0  # which refresh a background count belongs to
        self._last_full = False  # the last page read was full: there may be more
        self._count_task = None
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
        """Rows matching (while a background count runs: the rows read so far)."""
        return self._total if self._total is not None else len(self._rows)

    @property
    def counting(self) -> bool:
        return self._total is None

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
    def _load(self, offset: int, **extra):
        return self._fetch(text=self._text, filters=self._filters, sort=self._sort,
                           descending=self._desc, offset=offset, limit=self._page_size, **extra)

    def refresh(self) -> None:
        self._generation += 1
        try:
            page = self._load(0, with_total=False) if self._background_count else self._load(0)
        except Exception as exc:  # noqa: BLE001 - shown by the view
            self.beginResetModel()
            self._rows, self._total = [], 0
            self.endResetModel()
            self.failed.emit(exc)
            return
        self.beginResetModel()
        self._columns = page.columns
        self._rows = list(page.rows)
        self._last_full = len(self._rows) >= self._page_size
        if not self._background_count:
            self._total = page.total
        elif not self._last_full:
            self._total = len(self._rows)  # the whole answer is on this page: nothing to count
        else:
            self._total = None
        self.endResetModel()
        if self._total is not None:
            self.loaded.emit(self._total)
        else:
            self._count_later(self._generation)

    def _count_later(self, generation: int) -> None:
        from ui.tasks import run_task

        text, filters, sort, desc = self._text, dict(self._filters), self._sort, self._desc

        def work(_progress):
            return self._fetch(text=text, filters=filters, sort=sort, descending=desc, offset=0, limit=0,
                               with_total=True).total

        def done(total: int) -> None:
            if generation != self._generation:
                return  # a later refresh superseded this count
            try:
                self._total = max(total, len(self._rows))
                self.loaded.emit(self._total)
            except RuntimeError:  # the list was closed meanwhile
                return

        def failed(exc, _tb=None) -> None:
            log.info("counting the rows of a list failed: %s", type(exc).__name__)
            if generation == self._generation:
                self._total = len(self._rows) if not self._last_full else None

        self._count_task = run_task(None, work, on_done=done, on_error=failed)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid():
            return False
        if self._total is None:
            return self._last_full
        return len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.canFetchMore():
            return
        try:
            page = self._load(len(self._rows), with_total=False) if self._background_count \
                else self._load(len(self._rows))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(exc)
            return
        self._last_full = len(page.rows) >= self._page_size
        if not page.rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()
        if self._total is None and not self._last_full:
            self._total = len(self._rows)
            self.loaded.emit(self._total)

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
