"""Excel workbooks that are safe to open.

Every text cell is written as literal text: a value such as ``=HYPERLINK(...)``,
``+44...``, ``-1`` or ``@SUM(...)`` typed into the app stays text in Excel and
can never run as a formula (CSV/formula injection). Such text is also given
Excel's quote prefix (the leading ' a person would type), so editing the cell in
Excel later cannot turn it into a formula either. Characters XML cannot hold are
removed rather than failing the export, and text longer than Excel's cell limit
(32,767 characters) is cut at the limit. ``tests/exporting/test_xlsx_injection.py``
checks all of this as a property: any text in, no formula out.

Columns are as wide as what they hold (within limits; longer text wraps), dates
are real dates shown dd/mm/yyyy, money is pounds. ``check_output`` refuses, in
plain words, a file that cannot be written (a missing or read-only folder, a
file open in Excel or marked read-only) before any work is done.
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
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableStyleInfo

from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.exporting.files import check_output  # noqa: F401  (re-exported: exports check with it)

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '"£"#,##0.00'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_767  # Excel's limit on the characters in one cell
# Column widths in Excel's units (about one character each).
WIDTH_MIN, WIDTH_MAX = 8, 60
FIXED_WIDTHS = {"date": 12, "datetime": 17, "bool": 8}
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
    """One sheet holding one Excel table: a header row (frozen, with filters), a
    row per record, each column as wide as its contents within limits."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = _sheet_title(title)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F3864")
    headers = _unique_headers([col.header for col in columns])
    # Room for the filter button; a long header wraps rather than widening its column a lot.
    widest = [min(_text_width(h) + 3, 24) for h in headers]
    for c, header in enumerate(headers, start=1):
        cell = write_cell(ws, 1, c, header)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    limits = [col.width or WIDTH_MAX for col in columns]
    wrap = Alignment(wrap_text=True, vertical="top")
    n = 1
    for n, values in enumerate(rows, start=2):
        for c, (col, value) in enumerate(zip(columns, values, strict=False), start=1):
            cell = write_cell(ws, n, c, value, col.kind)
            if cell.value is None:
                continue
            w = _value_width(cell.value, col.kind)
            if w > widest[c - 1]:
                widest[c - 1] = w
            if w > limits[c - 1] and isinstance(cell.value, str):
                cell.alignment = wrap
        if progress and n % 500 == 0:
            progress(n - 1)
    last_col = get_column_letter(max(1, len(columns)))
    ws.freeze_panes = "A2"
    if n >= 2 and columns:
        ref = f"A1:{last_col}{n}"
        table = Table(displayName=_table_name(title), ref=ref, autoFilter=AutoFilter(ref=ref))
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    else:
        # No rows: Excel will not keep an empty table, so the headers get filters of their own.
        ws.auto_filter.ref = f"A1:{last_col}1"
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _column_width(col, widest[c - 1])
    _mark(ws, marking)
    return ws


def _text_width(text: str) -> int:
    """Roughly how many characters wide the text shows: its longest line."""
    return max((len(line) for line in str(text).split("\n")), default=0)


def _value_width(value: Any, kind: str) -> int:
    if isinstance(value, dt.datetime):
        return FIXED_WIDTHS["datetime"]
    if isinstance(value, dt.date):
        return FIXED_WIDTHS["date"]
    if isinstance(value, Decimal) and kind == "money":
        return len(f"£{value:,.2f}") + 2
    if isinstance(value, int | float | Decimal):
        return len(f"{value:,}") + 2
    return _text_width(value) + 2


def _column_width(col: SheetColumn, widest: int) -> int:
    if col.kind in FIXED_WIDTHS:
        return max(FIXED_WIDTHS[col.kind], min(widest, WIDTH_MAX))
    limit = col.width or WIDTH_MAX
    return max(WIDTH_MIN, min(widest, limit))


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


def add_about_sheet(wb: Workbook, *, marking: str, lines: list[tuple[str, str]],
                    personal: bool | None = None) -> None:
    """The sheet that says what the workbook is and how to handle it. ``personal``
    (by default: anything not marked OFFICIAL) says it holds personal data."""
    personal = marking != "OFFICIAL" if personal is None else personal
    ws = wb.create_sheet("About this export")
    ws["A1"] = marking
    ws["A1"].font = Font(bold=True, size=14, color="C00000")
    if personal:
        ws["A2"] = ("Contains personal data about victims of crime. Handle as " + marking +
                    ": do not forward outside the office; delete when no longer needed.")
    else:
        ws["A2"] = ("Names nobody. Handle as " + marking + ": share only with people who need it, "
                    "and check before publishing.")
    for i, (k, v) in enumerate(lines, start=4):
        write_cell(ws, i, 1, k).font = Font(bold=True)
        write_cell(ws, i, 2, v)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 80
    _mark(ws, marking)




def save(wb: Workbook, path: Path) -> None:
    """Write beside the target and rename into place: no half-written workbook, and
    nothing left behind when the write fails. A failure is one plain message."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        wb.save(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, PermissionError):
            raise UserError(f"{path} could not be saved: it is read-only or open in another program (close it "
                            "in Excel, for example, and try again).") from None
        raise UserError(f"The workbook could not be written to {path}: {exc.strerror or exc}.") from None
