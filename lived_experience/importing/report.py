"""The rejected rows as a workbook to fix and import again.

The first columns are the file's own headers with the row's original values
(so the corrected workbook maps the same way when it is imported again), then
"Problems" and "Row in your file". Text is written as text, never as a
formula; the workbook carries the office's protective marking.

The values come from the spreadsheet itself (re-read from the open source, or
from the file again after checking it has not changed), not from the database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_datetime
from lived_experience.exporting.xlsx import (
    SheetColumn,
    add_about_sheet,
    add_table_sheet,
    new_workbook,
    save,
)
from lived_experience.importing.readers import Source, open_source


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers, start=1):
        name = (h or "").strip() or f"Column {i}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def _cell(value):
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


def write_rejected_report(preview, path: str | Path, *, source: Source | None = None,
                          marking: str = "OFFICIAL-SENSITIVE", author: str = "Lived Experience") -> Path:
    """Write the preview's rejected rows to ``path`` (.xlsx). Returns the path written."""
    path = Path(path)
    if path.is_dir():  # a folder: the report goes in it, named after the spreadsheet
        path = path / f"{Path(preview.file_name).stem} - rows to fix.xlsx"
    elif path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    rejected = {r.number: r for r in preview.rejected}
    own = None
    if source is None or source._iterate is None:
        try:
            own = open_source(preview.path)
        except UserError:
            raise UserError("The spreadsheet cannot be read again to make the report: import it again, then "
                            "save the report.") from None
        if own.sha256 != preview.sha256:
            own.close()
            raise UserError("The spreadsheet has changed since it was read: import it again, then save the "
                            "report.")
        source = own
    try:
        headers = _unique_headers(list(source.headers))
        width = len(headers)
        columns = [SheetColumn(h, "float", max(12, min(40, len(h) + 4))) for h in headers]
        columns += [SheetColumn("Problems", "text", 70), SheetColumn("Row in your file", "int", 14)]

        def rows():
            for number, cells in source.rows():
                r = rejected.get(number)
                if r is None:
                    continue
                yield [_cell(c) for c in cells[:width]] + ["; ".join(r.reasons), number]

        wb = new_workbook(title="Rows to fix", marking=marking, author=author)
        add_table_sheet(wb, "Rows to fix", columns, rows(), marking=marking, first=True)
        counts = preview.counts()
        add_about_sheet(wb, marking=marking, lines=[
            ("What this is", "Rows of an applicant spreadsheet that could not be imported, with the reasons."),
            ("How to use it", "Correct the values in the first columns (not 'Problems'), save, and import this "
                              "workbook into the same recruitment window. Rows already imported are recognised "
                              "and not added twice."),
            ("File", preview.file_name),
            ("File SHA-256", preview.sha256),
            ("Sheet", preview.sheet_name or "(CSV file)"),
            ("Recruitment window", preview.window_name),
            ("Made", uk_datetime(clock.now())),
            ("Rows read", f"{counts.rows:,}"),
            ("Rows rejected", f"{counts.rejected:,}"),
        ])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or "the folder cannot be made"
            raise UserError(f"The report cannot be saved in {path.parent}: {reason}.") from None
        save(wb, path)
    finally:
        if own is not None:
            own.close()
    return path
