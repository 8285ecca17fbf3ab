"""Widgets the Members, DBS and Expenses pages share.

- ``TableModel``: a read-only table over plain rows (dataclasses), each column a
  header and a function giving its text; the row object under ``RowRole``; an
  optional "tone" per cell that colours it (the text always says it too).
- ``ToneDelegate``: colours the roster's status and DBS columns from their raw
  value, never instead of the words.
- ``table_view``, ``button``, ``ReadOnlyText``: accessible building blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
)

from ui.common.forms import a11y
from ui.common.roles import RawRole
from ui.common.tables import Column as BaseColumn
from ui.common.tables import ColumnsModel, read_only_rows
from ui.theme import is_high_contrast

# Dark text on a light tint: at least 4.5:1 (text colour against the tint and against white).
TONES: dict[str, tuple[str, str]] = {
    "good": ("#1B5E20", "#E6F4EA"),
    "warn": ("#6B4200", "#FFF3DC"),
    "bad": ("#8B0000", "#FDE8E8"),
    "info": ("#1F3864", "#E7EEF8"),
    "muted": ("#424242", "#F0F0F0"),
}

TERM_TONES = {"active": "good", "ending_soon": "warn", "upcoming": "info", "ended": "muted", "paused": "warn",
              "stepped_down": "muted", "removed": "bad"}
DBS_TONES = {"cleared": "good", "renewal_in_progress": "good", "recheck_due": "bad", "awaiting_decision": "warn",
             "requested": "warn", "not_accepted": "bad", "none": "bad"}
EXPENSE_TONES = {"submitted": "warn", "approved": "info", "paid": "good", "rejected": "muted"}


def tone_colours(tone: str | None) -> tuple[QColor, QColor] | None:
    if not tone or tone not in TONES or is_high_contrast():
        return None
    fg, bg = TONES[tone]
    return QColor(fg), QColor(bg)


@dataclass(frozen=True)
class Column(BaseColumn):
    tone: Callable[[Any], str | None] | None = None
    align_right: bool = False


class TableModel(ColumnsModel):
    """Plain rows as a read-only table; a column may be right-aligned, or coloured by its tone."""

    def cell_data(self, row: Any, column: Column, role: int):
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole) and column.tone is not None:
            colours = tone_colours(column.tone(row))
            if colours is not None:
                return QBrush(colours[0] if role == Qt.ItemDataRole.ForegroundRole else colours[1])
        return None


class ToneDelegate(QStyledItemDelegate):
    """Colours a ListPage column from its raw value (the cell's words stay as they are)."""

    def __init__(self, tones: dict[str, str], parent=None):
        super().__init__(parent)
        self.tones = tones

    def initStyleOption(self, option, index):  # noqa: N802 - Qt API
        super().initStyleOption(option, index)
        raw = index.data(RawRole)
        colours = tone_colours(self.tones.get(getattr(raw, "value", raw)))
        if colours is not None:
            option.palette.setColor(QPalette.ColorRole.Text, colours[0])
            option.palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
            option.backgroundBrush = QBrush(colours[1])


def table_view(name: str, description: str, model: QAbstractTableModel, *, stretch_last: bool = True) -> QTableView:
    return read_only_rows(QTableView(), model, name, description, stretch_last=stretch_last)


def fit(view: QTableView, *, most: int = 280) -> None:
    view.resizeColumnsToContents()
    for c in range(view.model().columnCount()):
        view.setColumnWidth(c, min(view.columnWidth(c), most))


def button(text: str, name: str, description: str, slot=None) -> QPushButton:
    b = QPushButton(text)
    a11y(b, name, description)
    if slot is not None:
        b.clicked.connect(slot)
    return b


def note(text: str = "", name: str = "Note", description: str | None = None) -> QLabel:
    """Read-only text that can be selected and copied."""
    lbl = QLabel(text)
    lbl.setWordWrap(True)
    a11y(lbl, name, description or f"{name} (text you can select and copy)")
    lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lbl
