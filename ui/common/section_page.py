"""A section made of a heading, a list and a details panel beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lived_experience.listing.render import display
from ui.common.list_page import ListPage
from ui.state import AppState
from ui.theme import title_font


class PageTitle(QLabel):
    """A page's title: the system font scaled up, following it when the system size changes."""

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.setObjectName("pageTitle")
        self.setAccessibleName(title)
        self.setWordWrap(True)
        self.setFont(title_font())
        app = QApplication.instance()
        if app is not None:
            app.fontChanged.connect(self._follow_font)

    def _follow_font(self, font) -> None:
        self.setFont(title_font(font))


def heading(title: str, description: str = "") -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 4)
    t = PageTitle(title)
    lay.addWidget(t)
    if description:
        d = QLabel(description)
        d.setObjectName("pageDescription")
        d.setWordWrap(True)
        lay.addWidget(d)
    return w


class RecordDetails(QScrollArea):
    """The selected row's fields, read-only and selectable (for copying)."""

    def __init__(self, title: str = "Details", parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(title)
        self.setAccessibleDescription("The selected row's details, to read or copy")
        self._inner = QWidget()
        self._form = QFormLayout(self._inner)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setWidget(self._inner)
        self._empty = QLabel("Select a row to see its details.")
        self._empty.setWordWrap(True)
        self._form.addRow(self._empty)

    def show_row(self, row: dict | None, columns) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        if row is None:
            self._empty = QLabel("Select a row to see its details.")
            self._form.addRow(self._empty)
            return
        for col in columns:
            if col.hidden:
                continue
            value = display(row.get(col.key), col)
            label = QLabel(value or "—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(col.header)
            self._form.addRow(f"{col.header}:", label)


class SectionPage(QWidget):
    """A list with a details panel; feature pages extend or replace the panel."""

    kind = ""
    title = ""
    description = ""

    def __init__(self, state: AppState, parent=None, *, details: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.list = ListPage(state, self.kind, self)
        self.details = details or RecordDetails()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.details.setMinimumWidth(260)
        self.splitter.setSizes([700, 320])
        lay = QVBoxLayout(self)
        lay.addWidget(heading(self.title or self.list.spec.title, self.description or self.list.spec.description))
        lay.addWidget(self.splitter, 1)
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.list.model.modelReset.connect(self._reset)

    def _reset(self) -> None:
        # The selection model is replaced when the model resets: reconnect.
        sm = self.list.table.selectionModel()
        sm.currentRowChanged.connect(self._row_changed)
        self._row_changed(self.list.table.currentIndex(), None)

    def _row_changed(self, current, _previous) -> None:
        row = self.list.model.row_at(current.row()) if current is not None and current.isValid() else None
        if isinstance(self.details, RecordDetails):
            self.details.show_row(row, self.list.model.columns)
        self.on_row(row)

    def on_row(self, row: dict | None) -> None:
        """Feature pages override this to fill their own details panel."""

    def save_layout(self) -> None:
        self.list.save_layout()
