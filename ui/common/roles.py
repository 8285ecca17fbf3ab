from PySide6.QtCore import Qt

# The plain row dict behind a table row (Vorta's pattern: views get the object, not cells).
RowRole = Qt.ItemDataRole.UserRole + 1
# The raw (unformatted) value of a cell, for sorting and tests.
RawRole = Qt.ItemDataRole.UserRole + 2
