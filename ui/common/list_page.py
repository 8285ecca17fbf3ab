"""A list of records: filter box, filter choices, a sortable paged table, Export to Excel.

Column widths and order are remembered per list (QSettings). Enter or a
double-click opens the selected record through ``activated``.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lived_experience.listing import registry
from lived_experience.listing.query import list_page
from lived_experience.listing.render import display
from ui.common.flow import FlowLayout
from ui.common.paged_model import PagedTableModel
from ui.common.roles import RowRole
from ui.state import AppState

FILTER_DELAY_MS = 120
RESIZE_PRECISION_ROWS = 40


class RecordTable(QTableView):
    activated_row = Signal(dict)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            idx = self.currentIndex()
            if idx.isValid():
                row = idx.data(RowRole)
                if row is not None:
                    self.activated_row.emit(row)
                    return
        super().keyPressEvent(event)


class ListPage(QWidget):
    activated = Signal(dict)
    selection_changed = Signal(object)  # row dict or None

    def __init__(self, state: AppState, kind: str, parent: QWidget | None = None, *,
                 fixed_filters: dict | None = None, show_filters: bool = True):
        super().__init__(parent)
        self.state = state
        self.kind = kind
        self.spec = registry.get(kind)
        self._fixed = dict(fixed_filters or {})
        self.setAccessibleName(self.spec.title)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(f"Filter {self.spec.title.lower()}…  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(f"Filter {self.spec.title.lower()}")
        self.filter_edit.setAccessibleDescription("Type any words to show only the rows that contain them all")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of rows")
        self.export_button = QPushButton("Export to Excel…")
        self.export_button.setAccessibleName("Export to Excel")
        self.export_button.setAccessibleDescription(f"Save the {self.spec.title.lower()} shown as an Excel workbook")
        self.export_button.clicked.connect(self.export)

        # The filter box, the filter choices and the buttons wrap onto a second line when the
        # page is narrow, rather than making the window wider than the screen.
        top = FlowLayout()
        self.filter_edit.setMinimumWidth(220)
        top.addWidget(self.filter_edit)
        self.filter_boxes: dict[str, QComboBox] = {}
        if show_filters:
            for f in self.spec.filters:
                if f.enum is None or f.key in self._fixed:
                    continue
                box = QComboBox()
                box.addItem(f"Any {f.label.lower()}", None)
                for member in f.enum:
                    box.addItem(member.label, member.value)
                box.setAccessibleName(f"Show {f.label.lower()}")
                box.setAccessibleDescription(f"Show only rows with this {f.label.lower()}")
                box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
                box.setMaximumWidth(220)
                box.currentIndexChanged.connect(functools.partial(self._filter_box_changed, f.key, box))
                self.filter_boxes[f.key] = box
                top.addWidget(box)
        # The count and the export button stay together when the line wraps.
        self.count_and_export = QWidget()
        tail = QHBoxLayout(self.count_and_export)
        tail.setContentsMargins(0, 0, 0, 0)
        tail.addWidget(self.count_label)
        tail.addWidget(self.export_button)
        top.addWidget(self.count_and_export)

        self.model = PagedTableModel(self._fetch, parent=self, count_in_background=True)
        self.model.set_display(display)
        self.table = RecordTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.spec.title)
        self.table.setAccessibleDescription(self.spec.description or f"The {self.spec.title.lower()}")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # Sorting is done by the model in SQL; connect the header directly rather than
        # setSortingEnabled, which would re-query once just to apply its own default.
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)
        # Fitting a column to its contents looks at the rows on screen, not every row fetched.
        header.setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        header.setSectionsClickable(True)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.activated_row.connect(self.activated)

        # What an empty list means, said in words over the empty table.
        self.empty_label = QLabel(self.table.viewport())
        self.empty_label.setObjectName("emptyList")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("Why the list is empty")
        self.empty_label.hide()
        self.table.viewport().installEventFilter(self)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(lambda: self.model.set_text(self.filter_edit.text()))
        self.filter_edit.textChanged.connect(lambda _t: self._timer.start())
        self.model.loaded.connect(self._update_count)
        self.model.failed.connect(lambda exc: self.state.interaction.error(exc))
        self.model.modelReset.connect(self._after_reset)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_filter)
        state.changed.connect(self._on_changed)
        self._restored = False
        for k, v in self._fixed.items():
            self.model._filters[k] = v
        self.model.refresh()
        self._show_default_sort()
        header.sortIndicatorChanged.connect(self.model.sort)

    def _show_default_sort(self) -> None:
        key, desc = self.spec.default_sort
        header = self.table.horizontalHeader()
        visible = [c for c in self.spec.visible_columns(self.state.ctx.actor) if not c.hidden]
        for i, c in enumerate(visible):
            if c.key == key:
                header.blockSignals(True)
                header.setSortIndicator(i, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder)
                header.blockSignals(False)
                return
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    # -- data ------------------------------------------------------------------
    def _fetch(self, **kwargs):
        return list_page(self.state.ctx, self.kind, **kwargs)

    def _filter_box_changed(self, key: str, box: QComboBox, _index: int) -> None:
        self.model.set_filter(key, box.currentData())

    def set_filter(self, key: str, value) -> None:
        box = self.filter_boxes.get(key)
        if box is not None:
            i = box.findData(value)
            if i >= 0:
                box.setCurrentIndex(i)
                return
        self.model.set_filter(key, value)

    def _on_changed(self, entity: str) -> None:
        if entity in ("*", self.spec.entity) or entity in getattr(self, "extra_entities", ()):
            self.refresh()

    def refresh(self) -> None:
        selected = self.selected_row()
        self.model.refresh()
        if selected:
            self.select_id(selected["id"])

    def _update_count(self, total: int) -> None:
        self.count_label.setText(f"{total:,} {'row' if total == 1 else 'rows'}")
        self._update_empty()

    def empty_text(self) -> str:
        """Why there is nothing to show, and what to do about it."""
        narrowed = bool(self.model.text().strip()) or any(
            k not in self._fixed for k, v in self.model.filters().items() if v not in (None, ""))
        if narrowed:
            return ("Nothing matches the filter. Clear the filter box, or choose \u201cAny\u2026\u201d in the "
                    "choices above, to see everything.")
        return f"{self.spec.title}: nothing recorded yet."

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0 and not self.model.counting
        if empty:
            self.empty_label.setText(self.empty_text())
            self._place_empty_label()
        self.empty_label.setVisible(empty)

    def _place_empty_label(self) -> None:
        vp = self.table.viewport()
        self.empty_label.setGeometry(12, 12, max(vp.width() - 24, 40), max(min(vp.height() - 24, 120), 40))

    def eventFilter(self, obj, event):
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize and self.empty_label.isVisible():
            self._place_empty_label()
        return super().eventFilter(obj, event)

    def _after_reset(self) -> None:
        self._update_empty()
        if self.model.counting:
            self.count_label.setText(f"{self.model.rowCount():,}+ rows (counting\u2026)")
        if not self._restored and self.model.columnCount() > 0:
            self._restore_header()
            self._restored = True
        self.selection_changed.emit(self.selected_row())

    # -- selection -----------------------------------------------------------------
    def follow_current(self, show) -> None:
        """Call ``show(row)`` (``None`` when nothing is current) whenever the current row
        changes, including after a refresh, which replaces the selection model."""
        def changed(current, _previous=None) -> None:
            show(self.model.row_at(current.row()) if current is not None and current.isValid() else None)

        def reset() -> None:
            self.table.selectionModel().currentRowChanged.connect(changed)
            changed(self.table.currentIndex())

        self.table.selectionModel().currentRowChanged.connect(changed)
        self.model.modelReset.connect(reset)

    def selected_row(self) -> dict | None:
        idx = self.table.currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def select_id(self, ident: int) -> bool:
        while True:
            for r in range(self.model.rowCount()):
                row = self.model.row_at(r)
                if row and row["id"] == ident:
                    self.table.selectRow(r)
                    self.table.setCurrentIndex(self.model.index(r, 0))
                    return True
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()

    def _double_clicked(self, index: QModelIndex) -> None:
        row = index.data(RowRole)
        if row is not None:
            self.activated.emit(row)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # -- column layout ----------------------------------------------------------------
    def _settings_key(self) -> str:
        return f"lists/{self.kind}/header"

    def _restore_header(self) -> None:
        raw = self.state.qsettings.value(self._settings_key())
        header = self.table.horizontalHeader()
        if isinstance(raw, QByteArray | bytes) and header.restoreState(QByteArray(raw)):
            return
        for i, col in enumerate(self.model.visible_columns()):
            if col.width:
                self.table.setColumnWidth(i, col.width)
            else:
                self.table.resizeColumnToContents(i)
                self.table.setColumnWidth(i, min(max(self.table.columnWidth(i), 80), 260))

    def save_layout(self) -> None:
        self.state.qsettings.setValue(self._settings_key(), self.table.horizontalHeader().saveState())

    def hideEvent(self, event):
        self.save_layout()
        super().hideEvent(event)

    # -- export -----------------------------------------------------------------------
    def export(self) -> None:
        from lived_experience.exporting.lists import export_list
        from ui.tasks import run_task

        path = self.state.interaction.save_file(
            f"Export {self.spec.title.lower()}", f"{self.kind}.xlsx", "Excel workbook (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        sort, desc = self.model.sort_state()
        text, filters = self.model.text(), self.model.filters()

        def work(progress):
            return export_list(self.state.ctx, self.kind, path, text=text, filters=filters, sort=sort,
                               descending=desc, progress=progress)

        run_task(self, work, label=f"Exporting {self.spec.title.lower()}…",
                 on_done=lambda res: self.state.interaction.info(
                     "Export finished", f"{res.rows:,} rows saved to {res.path}."),
                 on_error=self.state.interaction.error)
