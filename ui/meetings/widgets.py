"""Small building blocks for the meetings views: a read-only table model over plain
rows, accessible buttons and tables, and the one place dialogs are run (tests
replace ``run_dialog`` to fill a dialog in by keyboard and press OK)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QTableView

from ui.common.forms import a11y
from ui.common.roles import RowRole
from ui.common.tables import Column, ColumnsModel, read_only_rows

__all__ = ["Column", "RowsModel", "RowsTable", "button", "open_external", "run_dialog"]


def run_dialog(dialog) -> bool:
    """Show a dialog modally; True when the user pressed OK (tests replace this)."""
    return bool(dialog.exec())


def open_external(path: str) -> bool:
    """Open a file in the program the PC uses for it (PDF viewer, Outlook). Tests replace this."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


# Plain rows (dataclasses) as a read-only table; the row object under ``RowRole``.
RowsModel = ColumnsModel


class RowsTable(QTableView):
    """A keyboard-friendly table: Enter on a row emits ``activated_row``."""

    activated_row = Signal(object)

    def __init__(self, model: RowsModel, name: str, description: str, parent=None):
        super().__init__(parent)
        read_only_rows(self, model, name, description)
        self.doubleClicked.connect(lambda idx: self._activate(idx))

    def _activate(self, index) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is not None:
            self.activated_row.emit(row)

    def keyPressEvent(self, event):  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            return
        super().keyPressEvent(event)

    def current_row(self):
        idx = self.currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def select_first(self) -> None:
        if self.model().rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.model().index(0, 0))

    def fit_columns(self, widths: Sequence[int] = ()) -> None:
        for i, w in enumerate(widths):
            self.setColumnWidth(i, w)


def button(text: str, description: str, slot=None, *, name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    a11y(b, name or text.replace("&", "").rstrip("…").strip(), description)
    if slot is not None:
        b.clicked.connect(lambda _checked=False: slot())
    return b
