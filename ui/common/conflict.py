"""When a save is refused because someone else changed the record first.

The service raises ``ConflictError`` ("changed by NAME at TIME"); the form
keeps what the user typed and calls :func:`resolve_conflict`, which shows
"yours" and "theirs" field by field and offers two ways on:

- **Reload their version**: the form takes the saved values (and their
  version) and the user makes their change again on top;
- **Keep editing**: back to the form with the user's values still in it; the
  next save is checked against the version they now saw, so it goes through
  only if nobody changed the record again in between.

Nothing is ever overwritten silently. Usage in a form::

    try:
        service.save(ctx, record_id, values, expected_version=self.version)
    except ConflictError as exc:
        theirs = service.get(ctx, record_id)  # a fresh read, with its version
        choice = resolve_conflict(self, exc, yours=self.values_for_display(),
                                  theirs=theirs.as_display(), labels=FIELD_LABELS)
        if choice == RELOAD:
            self.load(theirs)
        else:
            self.version = theirs.version  # reviewed: save over it knowingly
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from lived_experience.core.errors import ConflictError
from ui.common.forms import a11y

RELOAD = "reload"
KEEP_EDITING = "keep"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


class ConflictDialog(QDialog):
    def __init__(self, error: ConflictError, yours: Mapping[str, object], theirs: Mapping[str, object],
                 labels: Mapping[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.choice = KEEP_EDITING
        labels = labels or {}
        self.setWindowTitle("Changed by someone else")
        self.setAccessibleName("Changed by someone else")
        lay = QVBoxLayout(self)
        who = error.changed_by or "another user"
        intro = QLabel(f"{error.message}\n\nNothing was saved. Below are your values and {who}'s, field by "
                       "field; the fields that differ are marked.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        keys = list(dict.fromkeys([*yours.keys(), *theirs.keys()]))
        self.differences = [k for k in keys if _text(yours.get(k)) != _text(theirs.get(k))]
        self.table = QTableWidget(len(keys), 4)
        a11y(self.table, "Your values and theirs", "Each field with your value, the saved value, and whether they "
                                                  "differ")
        self.table.setHorizontalHeaderLabels(["Field", "Yours (not saved)", f"Theirs (saved by {who})", "Differs"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        bold = QFont()
        bold.setBold(True)
        for r, key in enumerate(keys):
            differs = key in self.differences
            cells = [labels.get(key, key.replace("_", " ").capitalize()), _text(yours.get(key)),
                     _text(theirs.get(key)), "Differs" if differs else ""]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if differs:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.reload_button = a11y(QPushButton("&Reload their version"), "Reload their version",
                                  "Show the saved values in the form; make your change again on top of them")
        self.keep_button = a11y(QPushButton("&Keep editing"), "Keep editing",
                                "Go back to the form with your values; saving again replaces theirs")
        self.reload_button.clicked.connect(lambda: self._choose(RELOAD))
        self.keep_button.clicked.connect(lambda: self._choose(KEEP_EDITING))
        row.addStretch(1)
        row.addWidget(self.reload_button)
        row.addWidget(self.keep_button)
        lay.addLayout(row)
        self.reload_button.setDefault(True)
        self.resize(680, 420)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def resolve_conflict(parent, error: ConflictError, *, yours: Mapping[str, object], theirs: Mapping[str, object],
                     labels: Mapping[str, str] | None = None) -> str:
    """Show both versions; return RELOAD or KEEP_EDITING (closing the dialog keeps editing)."""
    dlg = ConflictDialog(error, yours, theirs, labels, parent)
    dlg.exec()
    return dlg.choice
