"""Excel workbooks that are safe to open.

Every text cell is written as literal text: a value such as ``=HYPERLINK(...)``,
``+44...``, ``-1`` or ``@SUM(...)`` typed into the app stays text in Excel and
can never run as a formula (CSV/formula injection). Such text is also given
Excel's quote prefix (the leading ' a person would type), so editing the cell in
Excel later cannot turn it into a formula either. Characters XML cannot hold are
removed rather than failing the export, and text longer than Excel's cell limit
(32,767 characters) is cut at the limit. ``tests/exporting/test_xlsx_injection.py``
checks all of this as a property: any text in, no formula out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from lived_experience.core import clock

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '"£"#,##0.00'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_767  # Excel's limit on the characters in one cell
# Lone surrogates cannot be encoded at all; U+FFFE and U+FFFF are not allowed in XML.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


@dataclass
class SheetColumn:
    header: str
    kind: str = "text"  # text | int | float | date | datetime | money | bool
    width: int | None = None


def clean_text(value: str) -> str:
    """The text as it can be stored in a workbook. Line breaks become Excel's own
    (a bare carriage return would not survive the file's XML as itself)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))[:CELL_MAX]


def write_cell(ws, row: int, col: int, value: Any, kind: str = "text"):
    cell = ws.cell(row=row, column=col)
    if value is None or value == "":
        return cell
    if kind == "money" and isinstance(value, int):
        cell.value = Decimal(value) / 100
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.datetime):
        local = clock.to_london(value) if value.tzinfo else value
        cell.value = local.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, bool):
        cell.value = "Yes" if value else "No"
        cell.data_type = "s"
    elif isinstance(value, int | float | Decimal) and kind in ("int", "float", "money"):
        cell.value = value
    else:
        text = clean_text(str(value))
        if not text:
            return cell
        cell.value = text
        # openpyxl takes a leading "=" as a formula: force a plain string, always.
        cell.data_type = "s"
        if text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    return cell


def add_table_sheet(wb: Workbook, title: str, columns: Sequence[SheetColumn], rows: Iterable[Sequence[Any]],
                    *, marking: str, first: bool = False, progress: Callable[[int], None] | None = None):
    ws = wb.active if first else wb.create_sheet()
    ws.title = _sheet_title(title)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F3864")
    for c, header in enumerate(_unique_headers([col.header for col in columns]), start=1):
        cell = write_cell(ws, 1, c, header)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    n = 1
    for n, values in enumerate(rows, start=2):
        for c, (col, value) in enumerate(zip(columns, values, strict=False), start=1):
            write_cell(ws, n, c, value, col.kind)
        if progress and n % 500 == 0:
            progress(n - 1)
    last_col = get_column_letter(max(1, len(columns)))
    ws.freeze_panes = "A2"
    if n >= 2 and columns:
        table = Table(displayName=_table_name(title), ref=f"A1:{last_col}{n}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = f"A1:{last_col}1"
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width or _width(col)
    _mark(ws, marking)
    return ws


def _unique_headers(headers: list[str]) -> list[str]:
    """Excel refuses ("repairs") a table whose headers repeat or are empty."""
    seen: set[str] = set()
    out = []
    for i, h in enumerate(headers, start=1):
        base = clean_text(str(h or "")).strip() or f"Column {i}"
        name, n = base, 2
        while name.casefold() in seen:
            name = f"{base} ({n})"
            n += 1
        seen.add(name.casefold())
        out.append(name)
    return out


def _width(col: SheetColumn) -> int:
    return {"date": 12, "datetime": 17, "money": 14, "int": 10, "float": 10, "bool": 8}.get(
        col.kind, max(12, min(50, len(col.header) + 6))
    )


def _sheet_title(title: str) -> str:
    bad = '[]:*?/\\'
    return "".join("-" if ch in bad else ch for ch in title)[:31] or "Sheet"


def _table_name(title: str) -> str:
    name = "".join(ch for ch in title.title() if ch.isalnum()) or "Table"
    return ("T" + name if not name[0].isalpha() else name)[:200]


def _mark(ws, marking: str) -> None:
    ws.oddHeader.center.text = marking
    ws.oddFooter.center.text = f"{marking}   Page &P of &N"
    ws.evenHeader.center.text = marking
    ws.evenFooter.center.text = f"{marking}   Page &P of &N"


def new_workbook(*, title: str, marking: str, author: str) -> Workbook:
    wb = Workbook()
    wb.properties.title = title
    wb.properties.creator = author
    wb.properties.keywords = marking
    wb.properties.category = marking
    wb.properties.subject = f"{marking}: Lived Experience export"
    return wb


def add_about_sheet(wb: Workbook, *, marking: str, lines: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet("About this export")
    ws["A1"] = marking
    ws["A1"].font = Font(bold=True, size=14, color="C00000")
    ws["A2"] = ("Contains personal data about victims of crime. Handle as " + marking +
                ": do not forward outside the office; delete when no longer needed.")
    for i, (k, v) in enumerate(lines, start=4):
        write_cell(ws, i, 1, k).font = Font(bold=True)
        write_cell(ws, i, 2, v)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 80
    _mark(ws, marking)


def save(wb: Workbook, path: Path) -> None:
    """Write beside the target and rename into place: no half-written workbook."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    wb.save(tmp)
    tmp.replace(path)
