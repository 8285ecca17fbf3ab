"""Item models for the import wizard: the column mapping, and the preview of every row."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from lived_experience.importing import validate as V
from lived_experience.importing.headers import Mapping
from lived_experience.importing.service import Preview, display
from ui.common.roles import RawRole, RowRole
from ui.theme import muted_colour, severity_colour

_Index = QModelIndex | QPersistentModelIndex


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    text = display("", value) if not isinstance(value, str) else value
    text = " ".join(str(text).split())
    return text if len(text) <= 80 else text[:79] + "…"


class MappingModel(QAbstractTableModel):
    """One row per column of the spreadsheet: its heading, an example, and the field it goes to."""

    HEADERS = ["Column in your file", "Example", "Imported as", "How it was matched"]

    def __init__(self, mapping: Mapping | None = None, samples: list[tuple] | None = None, parent=None):
        super().__init__(parent)
        self.mapping = mapping
        self.samples = samples or []

    def set_mapping(self, mapping: Mapping, samples: list[tuple]) -> None:
        self.beginResetModel()
        self.mapping = mapping
        self.samples = samples
        self.endResetModel()

    def refresh(self) -> None:
        if self.mapping is not None and self.mapping.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.mapping.columns) - 1, 3))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self.mapping is None:
            return 0
        return len(self.mapping.columns)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def _example(self, index: int) -> str:
        for cells in self.samples:
            if index < len(cells) and cells[index] not in (None, ""):
                return _cell_text(cells[index])
        return ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.mapping is None:
            return None
        col = self.mapping.columns[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            c = index.column()
            if c == 0:
                return col.header or f"(column {col.index + 1} has no heading)"
            if c == 1:
                return self._example(col.index)
            if c == 2:
                return col.field_label
            return col.how
        if role == RowRole:
            return col
        if role == RawRole:
            return col.field
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and col.field is None:
            return muted_colour()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None


FILTERS = [
    ("all", "All rows"),
    ("problems", "Rows with problems"),
    ("rejected", "Rejected rows"),
    ("decide", "Rows that need your decision"),
    ("duplicates", "Duplicates and people already on record"),
    ("changed", "Changed since last time"),
    ("new", "New applicants"),
]

# The colour of a row's fate, by urgency (ui.theme.severity_colour: 2 red, 1 amber, 0 blue), so it keeps its
# contrast in the high-contrast theme too.
_STATUS_SEVERITY = {V.REJECTED: 2, V.EXISTING_PERSON: 1, V.DUPLICATE_IN_FILE: 1, V.CHANGED: 0}


def what_happens(r: V.RowResult) -> str:
    """The row's fate in words (colour is only ever added to this text)."""
    if r.status == V.REJECTED:
        return "Rejected: to fix"
    if r.status == V.NEW:
        return "New applicant"
    if r.status == V.UNCHANGED:
        return "Already imported, unchanged"
    if r.needs_review:
        return "Needs your decision"
    label = {V.UPDATE: "update", V.ADD_NEW: "add as a new person", V.SKIP: "skip"}.get(r.choice, "")
    return f"{V.STATUS_LABELS[r.status]}: {label}"


class PreviewModel(QAbstractTableModel):
    """Every row of the file, filtered; cells are computed only for the rows on screen."""

    HEADERS = ["Row", "What happens", "Name", "Email", "Postcode", "Problems"]

    def __init__(self, preview: Preview | None = None, parent=None):
        super().__init__(parent)
        self.preview = preview
        self._filter = "all"
        self._visible: list[int] = []
        self._apply()

    def set_preview(self, preview: Preview) -> None:
        self.beginResetModel()
        self.preview = preview
        self._apply()
        self.endResetModel()

    def set_filter(self, key: str) -> None:
        self.beginResetModel()
        self._filter = key
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        if self.preview is None:
            self._visible = []
            return
        rows = self.preview.rows
        f = self._filter
        if f == "all":
            self._visible = list(range(len(rows)))
            return
        test = {
            "problems": lambda r: bool(r.problems),
            "rejected": lambda r: r.status == V.REJECTED,
            "decide": lambda r: r.needs_review,
            "duplicates": lambda r: r.status in (V.EXISTING_PERSON, V.DUPLICATE_IN_FILE),
            "changed": lambda r: r.status == V.CHANGED,
            "new": lambda r: r.status == V.NEW,
        }[f]
        self._visible = [i for i, r in enumerate(rows) if test(r)]

    def row_result(self, row: int) -> V.RowResult | None:
        if self.preview is None or not 0 <= row < len(self._visible):
            return None
        return self.preview.rows[self._visible[row]]

    def row_of(self, number: int) -> int | None:
        for i, idx in enumerate(self._visible):
            if self.preview.rows[idx].number == number:
                return i
        return None

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.row_result(index.row())
        if r is None:
            return None
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if c == 0:
                return str(r.number)
            if c == 1:
                return what_happens(r)
            if c == 2:
                return r.full_name or "(no name)"
            if c == 3:
                return r.values.get("email") or ""
            if c == 4:
                return r.values.get("postcode") or ""
            msgs = r.messages(V.ERROR) or r.messages(V.WARNING) or r.messages(V.NOTE)
            extra = len(r.problems or ()) - 1
            text = msgs[0] if msgs else ""
            return text + (f" (and {extra} more)" if extra > 0 and text else "")
        if role == Qt.ItemDataRole.ToolTipRole and c == 5:
            return "\n".join(r.messages()) or None
        if role == Qt.ItemDataRole.ForegroundRole and c == 1:
            severity = 1 if r.needs_review else _STATUS_SEVERITY.get(r.status)
            return severity_colour(severity) if severity is not None else None
        if role == RowRole:
            return r
        if role == RawRole:
            return r.number if c == 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and c == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None
