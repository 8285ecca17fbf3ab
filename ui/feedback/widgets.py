"""Small widgets the feedback and commissioning sections share.

- ``CheckList``: a checkable list you drive by keyboard alone: type to narrow it
  (the words typed show above it), arrows to move, Space to tick, Backspace or
  Escape to undo the typing.
- ``RowsModel``: a read-only table model over plain rows (list of cells), with
  the row's payload under ``RowRole`` and an optional text note per cell.
- ``ChoiceCombo``: a combo of (id, label) choices with an empty first entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.common.forms import a11y
from ui.common.roles import RowRole
from ui.common.tables import ReadOnlyTableModel, read_only_rows
from ui.theme import tint_colour


class CheckList(QWidget):
    """A checkable list with type-to-search. The list itself takes the focus."""

    changed = Signal()

    def __init__(self, label: str, choices: Sequence[tuple[int, str]] = (), parent=None, *, rows: int = 5):
        super().__init__(parent)
        self.label = label
        self._search = ""
        self.hint = QLabel()
        self.hint.setObjectName("checkListHint")
        self.hint.setAccessibleName(f"{label}: search")
        self.list = _List(self)
        self.list.setUniformItemSizes(True)
        a11y(self.list, label, f"{label}: type to narrow the list, arrows to move, Space to tick or untick, "
                               "Backspace to undo typing")
        self.list.setMinimumHeight(self.list.sizeHintForRow(0) * rows if self.list.count() else 22 * rows)
        self.list.itemChanged.connect(lambda _i: (self._update_hint(), self.changed.emit()))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(self.hint)
        lay.addWidget(self.list)
        self.setFocusProxy(self.list)
        self.set_choices(choices)

    # -- data --------------------------------------------------------------------------
    def set_choices(self, choices: Sequence[tuple[int, str]], checked: Sequence[int] = ()) -> None:
        keep = set(checked) or set(self.checked_ids())
        self.list.blockSignals(True)
        self.list.clear()
        for ident, text in choices:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ident in keep else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.set_search("")

    def checked_ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def checked_texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, ids: Sequence[int]) -> None:
        want = set(ids)
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in want
                               else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._update_hint()
        self.changed.emit()

    def clear_checks(self) -> None:
        self.set_checked([])
        self.set_search("")

    # -- searching ------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._search = text
        needle = text.casefold()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hide)
            if not hide and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)
        self._update_hint()

    def search_text(self) -> str:
        return self._search

    def _update_hint(self) -> None:
        ticked = len(self.checked_ids())
        parts = [f"{ticked} ticked"]
        if self._search:
            shown = sum(1 for i in range(self.list.count()) if not self.list.item(i).isHidden())
            parts.insert(0, f"Showing '{self._search}' ({shown})")
        self.hint.setText(" · ".join(parts))

    def toggle_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                               else Qt.CheckState.Checked)


class _List(QListWidget):
    def __init__(self, owner: CheckList):
        super().__init__(owner)
        self.owner = owner

    def keyboardSearch(self, search: str) -> None:  # noqa: N802 - Qt API
        # Typing narrows the list instead of Qt's own jump-to-item.
        return

    def keyPressEvent(self, event):
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Space and not mods:
            self.owner.toggle_current()
            return
        if key == Qt.Key.Key_Backspace and self.owner.search_text():
            self.owner.set_search(self.owner.search_text()[:-1])
            return
        if key == Qt.Key.Key_Escape and self.owner.search_text():
            self.owner.set_search("")
            return
        text = event.text()
        if text and text.isprintable() and not (mods & (Qt.KeyboardModifier.ControlModifier
                                                        | Qt.KeyboardModifier.AltModifier)) and key != Qt.Key.Key_Tab:
            self.owner.set_search(self.owner.search_text() + text)
            return
        super().keyPressEvent(event)


class ChoiceCombo(QComboBox):
    def __init__(self, label: str, choices: Sequence[tuple[Any, str]] = (), *, empty: str | None = "(none)",
                 description: str | None = None, parent=None):
        super().__init__(parent)
        self.empty = empty
        a11y(self, label, description)
        self.set_choices(choices)

    def set_choices(self, choices: Sequence[tuple[Any, str]], value=None) -> None:
        current = self.value() if value is None else value
        self.blockSignals(True)
        self.clear()
        if self.empty is not None:
            self.addItem(self.empty, None)
        for ident, text in choices:
            self.addItem(text, ident)
        self.blockSignals(False)
        self.set_value(current)

    def set_value(self, value) -> None:
        i = self.findData(value) if value is not None else (0 if self.empty is not None else -1)
        self.setCurrentIndex(i if i >= 0 else 0)

    def value(self):
        return self.currentData() if self.count() else None


class RowsModel(ReadOnlyTableModel):
    """Read-only rows of display text. ``payloads[i]`` comes back under ``RowRole``;
    ``bold_rows`` are shown bold (with their text saying why, never colour alone)."""

    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self._headers = list(headers)
        self._payloads: list[Any] = []
        self._bold: set[int] = set()
        self._shaded: set[tuple[int, int]] = set()
        self._align_right: set[int] = set()
        self._header_tips: list[str] = []

    def set_rows(self, rows: Sequence[Sequence[Any]], payloads: Sequence[Any] | None = None, *,
                 bold_rows: Sequence[int] = (), shaded: Sequence[tuple[int, int]] = (),
                 headers: Sequence[str] | None = None, align_right: Sequence[int] = (),
                 header_tips: Sequence[str] | None = None) -> None:
        self.beginResetModel()
        if headers is not None:
            self._headers = list(headers)
        self._header_tips = list(header_tips or [])
        self.rows = [["" if c is None else str(c) for c in r] for r in rows]
        self._payloads = list(payloads) if payloads is not None else [None] * len(self.rows)
        self._bold = set(bold_rows)
        self._shaded = set(shaded)
        self._align_right = set(align_right)
        self.endResetModel()

    def payload(self, row: int):
        return self._payloads[row] if 0 <= row < len(self._payloads) else None

    def header_tip(self, section: int) -> str | None:
        tips = self._header_tips
        return tips[section] if 0 <= section < len(tips) and tips[section] else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows) or index.column() >= len(self._headers):
            return None
        r, c = index.row(), index.column()
        row = self.rows[r]
        text = row[c] if c < len(row) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return text
        if role == Qt.ItemDataRole.FontRole and r in self._bold:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.BackgroundRole and (r, c) in self._shaded:
            return QBrush(tint_colour())
        if role == Qt.ItemDataRole.TextAlignmentRole and c in self._align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return self._payloads[r]
        return None


def read_only_table(name: str, description: str, model: QAbstractTableModel):
    from PySide6.QtWidgets import QTableView

    view = read_only_rows(QTableView(), model, name, description, word_wrap=True)
    model.modelReset.connect(lambda: fit_columns(view))
    return view


def fit_columns(view, *, most: int = 320, least: int = 60) -> None:
    """Columns as wide as their contents, within limits; the rows grow for wrapped text."""
    view.resizeColumnsToContents()
    for c in range(view.model().columnCount()):
        view.setColumnWidth(c, max(least, min(most, view.columnWidth(c))))
    view.resizeRowsToContents()
