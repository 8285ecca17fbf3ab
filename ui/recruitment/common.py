"""Small pieces the recruitment pages share: a read-only table model, actions with
their shortcut in the tooltip, labelled read-only values, and accessible names
for the focusable parts Qt builds inside compound widgets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QWidget,
)

from ui.common.forms import a11y
from ui.common.roles import RowRole
from ui.common.tables import ReadOnlyTableModel


class RowsModel(ReadOnlyTableModel):
    """A small read-only table: headers, rows of display text, and an object per row (RowRole)."""

    def __init__(self, headers: Sequence[str], parent=None, *, right_aligned: Sequence[int] = ()):
        super().__init__(parent)
        self._headers = list(headers)
        self._objects: list[Any] = []
        self._right = set(right_aligned)

    def set_rows(self, rows: Sequence[Sequence[str]], objects: Sequence[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = [tuple("" if v is None else str(v) for v in r) for r in rows]
        self._objects = list(objects) if objects is not None else [None] * len(self.rows)
        self.endResetModel()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows) or index.column() >= len(self._headers):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignRight if index.column() in self._right else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return self._objects[index.row()]
        return None

    def object_at(self, row: int):
        return self._objects[row] if 0 <= row < len(self._objects) else None


def small_table(model: RowsModel, name: str, description: str) -> QTableView:
    t = QTableView()
    t.setModel(model)
    a11y(t, name, description)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.setWordWrap(True)
    t.setAlternatingRowColors(True)
    t.setMinimumHeight(90)
    # The details panel must not grow sideways with long cells: the table scrolls instead.
    t.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    t.setMaximumHeight(220)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    model.modelReset.connect(lambda: fit_columns(t))
    return t


def fit_columns(table: QTableView, cap: int = 170) -> None:
    """Columns as wide as their contents, but none wider than ``cap`` (long text wraps)."""
    table.resizeColumnsToContents()
    for c in range(table.model().columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c), cap))


def action(parent: QWidget, text: str, description: str, slot, shortcut: str | None = None) -> QAction:
    """An action on ``parent`` (active while the page is shown), its shortcut shown in the tooltip."""
    act = QAction(text, parent)
    act.setStatusTip(description)
    tip = description
    if shortcut:
        seq = QKeySequence(shortcut)
        act.setShortcut(seq)
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = f"{description} ({seq.toString(QKeySequence.SequenceFormat.NativeText)})"
    act.setToolTip(tip)
    act.triggered.connect(lambda _checked=False: slot())
    parent.addAction(act)
    return act


def button_for(act: QAction, text: str | None = None) -> QPushButton:
    """A push button that triggers ``act`` and follows its enabled state."""
    b = QPushButton(text or act.text())
    a11y(b, (text or act.text()).replace("&", "").rstrip("…").rstrip("."), act.toolTip())
    b.setToolTip(act.toolTip())
    b.clicked.connect(act.trigger)
    b.setEnabled(act.isEnabled())
    act.changed.connect(lambda: b.setEnabled(act.isEnabled()))
    return b


def value_label(name: str) -> QLabel:
    """A read-only value in a details panel: wraps, can be selected and copied."""
    lbl = QLabel("—")
    lbl.setWordWrap(True)
    lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lbl.setTextFormat(Qt.TextFormat.PlainText)
    a11y(lbl, name, name)
    return lbl


def name_inner_widgets(root: QWidget) -> None:
    """Give the focusable parts Qt builds inside spin boxes and tab widgets their parent's names."""
    for w in root.findChildren(QAbstractSpinBox):
        le = w.findChild(QWidget, "qt_spinbox_lineedit")
        if le is not None and not le.accessibleDescription():
            a11y(le, w.accessibleName() or "Number", w.accessibleDescription() or w.accessibleName() or "Number")
    for tabs in root.findChildren(QTabWidget):
        bar = tabs.tabBar()
        if not bar.accessibleDescription():
            a11y(bar, tabs.accessibleName() or "Tabs", "Choose a tab; Ctrl+Tab moves to the next one")
