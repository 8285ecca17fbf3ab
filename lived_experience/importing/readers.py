"""Reading a spreadsheet into a header row and data rows, whatever produced it.

``open_source(path)`` refuses hostile and broken files first (``safety``), then:

- .xlsx / .xlsm (Excel, LibreOffice, Google Sheets, Numbers): python-calamine,
  which reads cached values and never evaluates a formula; dates follow the
  workbook's 1900 or 1904 date system. The sheet holding the data is chosen
  (visible sheets first, the one whose header row names the most fields);
  vertically merged cells are filled down so each row gets its value.
- .csv (and .txt/.tsv): UTF-8 with or without a BOM, UTF-16 (with a BOM, as
  Excel's "Unicode text" writes, or without), or Windows-1252; comma,
  semicolon, tab or bar, sniffed (Excel's ``sep=;`` first line is honoured).

The header row may be anywhere in the first 30 rows (a title above it, blank
rows). Blank rows are skipped. Row numbers are the ones Excel shows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from lived_experience.importing import safety
from lived_experience.importing.headers import header_score, match_header
from lived_experience.importing.safety import SpreadsheetRefused

MAX_ROWS = 200_000  # data rows in one import
HEADER_SEARCH_ROWS = 30
SAMPLE_ROWS = 25
COUNT_EXACTLY_BELOW = 2000  # rows: small sheets are counted (the wizard says how many rows there are)

Row = tuple[int, tuple]  # (row number as Excel shows it, cells padded to the header's width)


@dataclass
class Source:
    """An opened spreadsheet: where its header is, and its data rows (re-iterable)."""

    path: Path
    file_name: str
    sha256: str
    size: int
    kind: str  # xlsx | csv
    sheet_name: str | None
    header_row: int
    headers: list[str]
    date1904: bool = False
    notes: list[str] = field(default_factory=list)
    estimated_rows: int = 0
    max_rows: int = MAX_ROWS
    _iterate: Callable[[], Iterator[Row]] | None = None
    _sample: list[Row] = field(default_factory=list)
    _closer: Callable[[], None] | None = None
    rows_exact: bool = False  # estimated_rows is the number of rows, not an estimate

    @property
    def width(self) -> int:
        return len(self.headers)

    def rows(self) -> Iterator[Row]:
        """Every non-blank row under the header. Refuses a file over the row limit."""
        if self._iterate is None:
            raise RuntimeError("the spreadsheet was closed")
        for count, row in enumerate(self._iterate(), start=1):
            if count > self.max_rows:
                raise too_many_rows(count, self.max_rows, exact=False)
            yield row

    def sample(self) -> list[Row]:
        return list(self._sample)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
        self._iterate = None
        self._closer = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        where = f"sheet '{self.sheet_name}', " if self.sheet_name else ""
        return f"{self.file_name}: {where}headings in row {self.header_row}"


def too_many_rows(count: int, limit: int, *, exact: bool = True) -> SpreadsheetRefused:
    amount = f"{count:,} rows" if exact else f"more than {limit:,} rows"
    return SpreadsheetRefused(
        f"This sheet has {amount}: one import can take at most {limit:,}. "
        "Split it into smaller files and import them one after another.", "too_many_rows")


def empty_sheet(where: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"{where} is empty: there are no rows to import.", "empty_sheet")


def no_header(where: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        f"{where} has no header row: the first row should hold the column headings (for example Name, "
        "Email, Postcode), with one applicant on each row below.", "no_header")


def header_only(where: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"{where} has column headings but no rows of answers under them.", "no_rows")


def open_source(path: str | Path, *, max_rows: int = MAX_ROWS) -> Source:
    """Open a spreadsheet for import, or raise ``SpreadsheetRefused`` with one plain-English reason."""
    path = Path(path)
    data = _read_file(path)
    sha = hashlib.sha256(data).hexdigest()
    sniffed = safety.sniff(data, path.suffix)
    if sniffed.kind == "zip":
        facts = safety.check_zip(data)
        if facts.kind == "ods":
            return _open_book(path, data, sha, max_rows, "ods", facts)
        return _open_book(path, data, sha, max_rows, "xlsx", facts)
    if sniffed.kind == "xls":
        return _open_book(path, data, sha, max_rows, "xls", None)
    return _open_csv(path, data, sha, max_rows)


def _read_file(path: Path) -> bytes:
    """The file's bytes: only a regular file, never more than the size limit (a device such as
    /dev/zero, or a file growing while it is read, would otherwise fill the memory; a named pipe
    would wait for ever)."""
    import stat

    name = path.name or str(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise SpreadsheetRefused(f"{name} is a folder, not a spreadsheet.", "not_a_file")
        if not stat.S_ISREG(st.st_mode):
            raise SpreadsheetRefused(f"{name} is not a file that can be imported (it is a device or a pipe, not a "
                                     "spreadsheet).", "not_a_file")
        if st.st_size > safety.MAX_FILE_BYTES:
            raise safety.too_big(st.st_size)
        with path.open("rb") as fh:
            data = fh.read(safety.MAX_FILE_BYTES + 1)
        if len(data) > safety.MAX_FILE_BYTES:
            raise safety.too_big(len(data))
        return data
    except FileNotFoundError:
        raise SpreadsheetRefused(f"There is no file at {path}.", "not_found") from None
    except PermissionError:
        raise SpreadsheetRefused(f"{name} cannot be opened: you do not have permission to read it "
                                 "(or it is open in another program).", "no_permission") from None
    except IsADirectoryError:
        raise SpreadsheetRefused(f"{name} is a folder, not a spreadsheet.", "not_a_file") from None
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character in it
        reason = getattr(exc, "strerror", None) or "read error"
        raise SpreadsheetRefused(f"{name} cannot be read ({reason}).", "unreadable") from None


# -- shared ---------------------------------------------------------------------------------------
def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_blank_row(cells: Sequence) -> bool:
    return all(_blank(c) for c in cells)


def _data_like(cell) -> bool:
    """A value, not a heading: a number, a date, an email address, or digits."""
    if cell is None:
        return False
    if not isinstance(cell, str):
        return True
    s = cell.strip()
    return "@" in s or s.replace(" ", "").replace("+", "").isdigit()


def find_header(first_rows: list[tuple[int, Sequence]], where: str) -> tuple[int, int, list[str]]:
    """(index into first_rows, row number, headers) of the header row.

    The row naming the most known fields wins (at least two). Failing that, the
    first non-blank row made only of text headings is taken (the mapping step
    lets a person say what each column is); a first row of values means the
    sheet has no header row.
    """
    best = (-1, 0)
    for i, (_number, cells) in enumerate(first_rows):
        score = header_score(cells)
        if score > best[1]:
            best = (i, score)
    if best[1] >= 2 or (best[1] == 1 and sum(1 for c in first_rows[best[0]][1] if not _blank(c)) >= 2):
        i = best[0]
    else:
        i = -1
        for j, (_number, cells) in enumerate(first_rows):
            filled = [c for c in cells if not _blank(c)]
            if len(filled) >= 2 and not any(_data_like(c) for c in filled) and j + 1 < len(first_rows):
                i = j
                break
            if filled:
                break  # the first non-blank row is values: no header row
        if i < 0:
            raise no_header(where)
    number, cells = first_rows[i]
    headers = [_header_text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if len([h for h in headers if h]) < 1:
        raise no_header(where)
    return i, number, headers


def _header_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())


def _fit(cells: Sequence, width: int) -> tuple:
    n = len(cells)
    if n == width:
        return tuple(cells)
    if n > width:
        return tuple(cells[:width])
    return tuple(cells) + ("",) * (width - n)


def _unquote_excel_text(value: str) -> str:
    """'="07700900123"' (how some systems keep a leading 0 in CSV) -> '07700900123'."""
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        return value[2:-1].replace('""', '"')
    return value


# -- xlsx / xlsm ----------------------------------------------------------------------------------
@contextmanager
def _rust_panics_kept_quiet() -> Iterator[None]:
    """python-calamine turns a panic in its Rust code (a damaged file) into an exception, which becomes
    the usual one-line refusal; but Rust also prints the panic, and a backtrace, on stderr. Hold back
    what is written to stderr meanwhile, and pass it on unless the work ended in a panic."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no stderr at all (a windowed program on Windows)
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        panicked = False
        try:
            yield
        except BaseException as exc:
            panicked = type(exc).__name__ == "PanicException"
            raise
        finally:
            with suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if not panicked:
                held.seek(0)
                if text := held.read():
                    with suppress(OSError):
                        os.write(2, text)


def _batched_quietly(rows, size: int = 2000) -> Iterator:
    """python-calamine's rows (converted to Python as they are read) a batch at a time, quietly."""
    it = iter(rows)
    while True:
        with _rust_panics_kept_quiet():
            batch = list(islice(it, size))
        if not batch:
            return
        yield from batch


def _is_fatal(exc: BaseException) -> bool:
    """Exceptions that must never be turned into 'this file cannot be read'."""
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError)


class _CalamineBook:
    """python-calamine: fast, but holds a whole sheet in memory. Reads .xlsx, .xlsm, .ods and .xls."""

    def __init__(self, data: bytes, merges: dict | None = None):
        import python_calamine as pc

        self.pc = pc
        self.merges = merges
        with _rust_panics_kept_quiet():
            self.wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))

    def sheets(self) -> list[tuple[str, bool, object]]:
        pc = self.pc
        return [(m.name, m.visible == pc.SheetVisibleEnum.Visible, m.name) for m in self.wb.sheets_metadata
                if m.typ == pc.SheetTypeEnum.WorkSheet]

    def load(self, handle):
        with _rust_panics_kept_quiet():
            sheet = self.wb.get_sheet_by_name(handle)
        return sheet if sheet.start is not None else None

    def first_col(self, sheet) -> int:
        return sheet.start[1] if sheet.start else 0

    def last_row(self, sheet) -> int:
        return sheet.end[0] + 1 if sheet.end else 0

    def iter_rows(self, sheet):
        """(row number, cells): python-calamine's rows start at row 1, columns at the first used one."""
        return enumerate(_batched_quietly(sheet.iter_rows()), start=1)

    def merged(self, sheet):
        if self.merges is not None:  # .ods: python-calamine reads no merges there; our own pass did
            return self.merges.get(sheet.name, [])
        try:
            return list(sheet.merged_cell_ranges or [])
        except Exception:  # noqa: BLE001 - merged ranges are a nicety
            return []

    def close(self) -> None:
        self.wb = None


class _StreamingBook:
    """Our streaming reader: for sheets too big to hold in memory at once."""

    def __init__(self, data: bytes, date1904: bool, facts: safety.ZipFacts | None = None):
        from lived_experience.importing.xlsx_stream import StreamingWorkbook

        self.wb = StreamingWorkbook(data, date1904)
        self._dims: dict = {}

    def sheets(self) -> list[tuple[str, bool, object]]:
        return [(s.name, s.visible, s) for s in self.wb.sheets]

    def load(self, handle):
        # Rows are read from column A: a <dimension> that says the sheet starts further right may lie
        # (``_open_book`` drops leading columns that are empty).
        dims = self.wb.dimensions(handle)
        for _number, cells in self.wb.iter_rows(handle, 0):
            if not _is_blank_row(cells):
                self._dims[handle] = dims[1] if dims else 0
                return handle
        return None

    def first_col(self, sheet) -> int:
        return 0

    def last_row(self, sheet) -> int:
        return self._dims.get(sheet, 0)

    def iter_rows(self, sheet):
        """(row number, cells) for the rows that hold cells."""
        return self.wb.iter_rows(sheet, 0)

    def merged(self, sheet):
        return self.wb.merged(sheet)

    def close(self) -> None:
        self.wb.close()


def _sheet_xml_bytes(facts: safety.ZipFacts) -> int:
    return sum(size for name, size in facts.sizes.items()
               if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml")


def _cell_name(rows: int, cols: int) -> str:
    from lived_experience.importing.xlsx_stream import column_letters

    return f"row {rows:,}, column {column_letters(max(cols, 1) - 1)}"


def _open_book(path: Path, data: bytes, sha: str, max_rows: int, kind: str,
               facts: safety.ZipFacts | None) -> Source:
    """A workbook: .xlsx/.xlsm (python-calamine, or the streaming reader), .ods or .xls (python-calamine)."""
    from lived_experience.importing.xlsx_stream import STREAM_ABOVE_BYTES

    date1904 = _workbook_date1904(data, facts) if kind == "xlsx" else False
    streaming = False
    merges = None  # python-calamine's own, except for .ods
    if kind == "xlsx":
        # Very large sheets, and sheets with something typed far from the table (python-calamine would
        # build a grid reaching it), are read a row at a time.
        streaming = (_sheet_xml_bytes(facts) > STREAM_ABOVE_BYTES
                     or facts.dense_cells() > safety.CALAMINE_MAX_CELLS)
    elif kind == "ods":
        (rows, cols), merges = safety.ods_layout(_zip_member(data, "content.xml"))
        if rows * cols > safety.CALAMINE_MAX_CELLS:
            raise SpreadsheetRefused(safety.TOO_SPREAD_OUT.format(where=_cell_name(rows, cols)), "too_spread_out")
    try:
        return _read_book(path, data, sha, max_rows, kind, facts, streaming, date1904, merges)
    except SpreadsheetRefused as exc:
        if kind != "xlsx" or streaming or exc.code != "not_a_spreadsheet":
            raise
    # python-calamine gave up on an .xlsx (it panics on some values Excel itself shows, such as a huge
    # negative number styled as a date): the streaming reader parses it on its own, or refuses it.
    return _read_book(path, data, sha, max_rows, kind, facts, True, date1904)


def _read_book(path: Path, data: bytes, sha: str, max_rows: int, kind: str, facts: safety.ZipFacts | None,
               streaming: bool, date1904: bool, merges: dict | None = None) -> Source:
    book = None
    try:
        book = _StreamingBook(data, date1904, facts) if streaming else _CalamineBook(data, merges)
        sheets = book.sheets()
        if not sheets:
            if kind == "xls":
                raise SpreadsheetRefused(safety.OLD_XLS, "old_xls")
            raise SpreadsheetRefused("This workbook has no sheets: there is nothing in it to import.", "empty_sheet")
        visible = [s for s in sheets if s[1]]
        hidden = [s for s in sheets if not s[1]]
        best = None  # (rank, name, is_visible, sheet, first rows)
        order = 0
        empty_names = []
        for name, is_visible, handle in visible + hidden:
            order += 1
            sheet = book.load(handle)
            if sheet is None:
                empty_names.append(name)
                continue
            first = _first_rows(book.iter_rows(sheet))
            if not first:
                empty_names.append(name)
                continue
            score = max(header_score(cells) for _n, cells in first)
            # A hidden sheet must do clearly better than the visible ones to be chosen.
            rank = (score - (0 if is_visible else 1), -order)
            if best is None or rank > best[0]:
                best = (rank, name, is_visible, sheet, first)
            del sheet
    except SpreadsheetRefused:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine errors, and Rust panics (BaseException)
        if _is_fatal(exc):
            raise
        if type(exc).__name__ == "PasswordError" or "password" in str(exc).lower():
            raise SpreadsheetRefused(safety.PASSWORD_PROTECTED, "password_protected") from None
        if kind == "xls":
            raise SpreadsheetRefused(safety.OLD_XLS, "old_xls") from None
        raise SpreadsheetRefused(safety.NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
    if best is None:
        where = f"The sheet '{empty_names[0]}'" if len(empty_names) == 1 else "Every sheet in this workbook"
        raise empty_sheet(where)
    _rank, sheet_name, is_visible, sheet, first = best
    where = f"The sheet '{sheet_name}'"
    idx, header_number, headers = find_header(first, where)
    skip = _leading_blank_columns(headers, first[idx + 1:]) if streaming else 0
    headers, notes = _trim_far_columns(headers[skip:])
    width = len(headers)
    end_row = book.last_row(sheet)
    estimated = max(0, end_row - header_number)
    merged = _MergedFill(book.merged(sheet), book.first_col(sheet) + skip, header_number)

    def iterate() -> Iterator[Row]:
        try:
            # A sheet with only a few rows (perhaps formatted to its last row) is not read again.
            rows = iter(first) if first.complete else book.iter_rows(sheet)
            yield from _xlsx_rows(rows, header_number, width, merged, skip)
        except SpreadsheetRefused:
            raise
        except BaseException as exc:  # noqa: BLE001 - a sheet damaged past its first rows (Rust panics too)
            if _is_fatal(exc):
                raise
            raise SpreadsheetRefused(safety.OLD_XLS if kind == "xls" else safety.NOT_A_SPREADSHEET,
                                     "old_xls" if kind == "xls" else "not_a_spreadsheet") from None

    exact = False
    if estimated > max_rows or end_row == 0 or estimated < COUNT_EXACTLY_BELOW or first.complete:
        # No <dimension>, trailing formatting making the sheet look longer, or a small sheet (with blank
        # rows among its rows): count the real rows.
        # Counting stops one past the limit: a sheet of a million rows is refused as soon as that is known.
        real = sum(1 for _ in islice(iterate(), max_rows + 1))
        if real > max_rows:
            raise too_many_rows(real, max_rows, exact=False)
        estimated, exact = real, True
    others = [n for n, _v, _h in book.sheets() if n != sheet_name]
    states = {n: v for n, v, _h in book.sheets()}
    hidden_note = "" if is_visible else (" (it is hidden)" if kind == "ods" else " (it is hidden in Excel)")
    if others:
        listed = ", ".join(f"'{n}'" + ("" if states[n] else " (hidden)") for n in others[:6])
        more = f" and {len(others) - 6} more" if len(others) > 6 else ""
        notes.append(f"Read the sheet '{sheet_name}'{hidden_note}; the other sheets were not used: {listed}{more}.")
    elif hidden_note:
        notes.append(f"Read the sheet '{sheet_name}'{hidden_note}.")
    if header_number > 1:
        notes.append(f"The column headings are in row {header_number}; the rows above them were not imported.")
    if date1904:
        notes.append("This workbook uses the 1904 date system (as older Excel for Mac did); its dates were read "
                     "that way.")
    if merged.ranges:
        notes.append("Merged cells were read as if each row held the merged value.")
    sample = []
    for row in iterate():
        sample.append(row)
        if len(sample) >= SAMPLE_ROWS:
            break
    if not sample:
        raise header_only(where)
    holder = {"sheet": sheet, "book": book}

    def iterate_open() -> Iterator[Row]:
        if "book" not in holder:
            raise RuntimeError("the spreadsheet was closed")
        return iterate()

    def close() -> None:
        b = holder.pop("book", None)
        holder.clear()
        if b is not None:
            b.close()

    return Source(path, path.name, sha, len(data), kind, sheet_name, header_number, headers, date1904,
                  notes, estimated, max_rows, iterate_open, sample, close, exact)


class _FirstRows(list):
    """The first non-blank rows of a sheet; ``complete`` when they are all the sheet has."""

    complete = False


def _first_rows(rows) -> _FirstRows:
    out = _FirstRows()
    for number, cells in rows:
        if not _is_blank_row(cells):
            out.append((number, cells))
            if len(out) > HEADER_SEARCH_ROWS:
                break
    else:
        out.complete = True
    if len(out) > HEADER_SEARCH_ROWS:
        out.pop()
    return out


class _MergedFill:
    """Vertically merged cells under the header: each row of a merged range gets the range's value.

    Kept as ranges (a merge may span a million rows) and applied while the rows stream past.
    """

    MAX_RANGES = 20_000

    def __init__(self, ranges, col0: int, header_number: int):
        vertical = []
        for (r1, c1), (r2, _c2) in ranges or ():
            # 0-based, inclusive -> row numbers; only ranges reaching below the header matter.
            if r2 > r1 and r2 + 1 > header_number and c1 - col0 >= 0:
                vertical.append((r1 + 1, r2 + 1, c1 - col0))
            if len(vertical) >= self.MAX_RANGES:
                break
        vertical.sort()
        self.ranges = vertical

    def rows(self, rows) -> Iterator[tuple[int, list]]:
        """(row number, cells) in, the same with merged values filled in, out."""
        ranges = self.ranges
        if not ranges:
            yield from rows
            return
        nxt = 0
        active: list[tuple[int, int, object]] = []  # (last row, column, value)
        for number, cells in rows:
            while nxt < len(ranges) and ranges[nxt][0] == number:
                r1, r2, c = ranges[nxt]
                active.append((r2, c, cells[c] if c < len(cells) else ""))
                nxt += 1
            while nxt < len(ranges) and ranges[nxt][0] < number:
                nxt += 1  # a range starting in a row that was never read
            if active:
                active = [a for a in active if a[0] >= number]
                filled = None
                for _last, c, value in active:
                    if c < len(cells) and not _blank(cells[c]):
                        continue
                    if _blank(value):
                        continue
                    if filled is None:
                        filled = list(cells)
                    if c >= len(filled):
                        filled.extend([""] * (c - len(filled) + 1))
                    filled[c] = value
                if filled is not None:
                    cells = filled
            yield number, cells


def _leading_blank_columns(headers: list[str], below: list[tuple[int, Sequence]]) -> int:
    """How many columns at the left have no heading and nothing in the rows read so far."""
    lead = 0
    while lead < len(headers) and not headers[lead]:
        lead += 1
    for _n, cells in below:
        for i in range(min(lead, len(cells))):
            if not _blank(cells[i]):
                lead = i
                break
    return lead


FAR_COLUMN_GAP = 100


def _trim_far_columns(headers: list[str]) -> tuple[list[str], list[str]]:
    """Headings far to the right of the table (after 100 or more columns without a heading) are left out."""
    notes: list[str] = []
    run = 0
    for i, h in enumerate(headers):
        if h:
            if run >= FAR_COLUMN_GAP and i - run > 0:
                from lived_experience.importing.xlsx_stream import column_letters

                dropped = sum(1 for x in headers[i:] if x)
                notes.append(f"{dropped:,} column heading{'s' if dropped != 1 else ''} far to the right of the "
                             f"table (from column {column_letters(i)}) {'were' if dropped != 1 else 'was'} "
                             "left out.")
                return headers[:i - run], notes
            run = 0
        else:
            run += 1
    return headers, notes


def _xlsx_rows(rows, header_number: int, width: int, merged: _MergedFill | None = None,
               skip: int = 0) -> Iterator[Row]:
    if skip:
        rows = ((number, cells[skip:]) for number, cells in rows)
    numbered = merged.rows(rows) if merged is not None else rows
    for number, cells in numbered:
        if number <= header_number:
            continue
        fitted = _fit(cells, width)
        if _is_blank_row(fitted):
            continue
        yield number, fitted


def _zip_member(data: bytes, name: str) -> bytes:
    """One part of a zip that ``safety.check_zip`` has already checked (sizes, ratio, CRC)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def _workbook_date1904(data: bytes, facts: safety.ZipFacts) -> bool:
    """Whether the workbook uses the 1904 date system (workbook.xml, parsed with defusedxml)."""
    root = safety.parse_xml(_zip_member(data, "xl/workbook.xml"))
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "workbookPr":
            value = (el.get("date1904") or "").strip().lower()
            return value in ("1", "true", "on")
    return False


# -- csv ------------------------------------------------------------------------------------------
_DELIMITERS = [",", ";", "\t", "|"]
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with a byte order mark)", "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16 (big-endian)", "utf-32-le": "UTF-32", "utf-32-be": "UTF-32 (big-endian)",
    "cp1252": "Windows-1252 (Western European)", "mac_roman": "Mac Roman (Excel for Mac's 'CSV (Macintosh)')",
    "utf-8+cp1252": "UTF-8, with some characters in Windows-1252 (Western European)",
}
_FALLBACK = "lived_experience.cp1252"


def _cp1252_fallback(exc: UnicodeError):
    """A codec error handler: bytes that are not UTF-8 are read as Windows-1252 (a UTF-8 file with a few
    characters typed in an older program, or two exports pasted together)."""
    if isinstance(exc, UnicodeDecodeError):
        return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end
    raise exc


codecs.register_error(_FALLBACK, _cp1252_fallback)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")


def _detect_encoding(data: bytes) -> tuple[str, int]:
    """(codec, bytes of BOM to skip)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 3
    if data.startswith(codecs.BOM_UTF32_LE):
        return "utf-32-le", 4
    if data.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    guess = safety._utf16_without_bom(data[:4096])
    if guess:
        return guess, 0
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        view = memoryview(data)
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start:start + (1 << 20)], final=start + (1 << 20) >= len(data))
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    sample = data[:4 << 20]
    good = len(_UTF8_MULTIBYTE.findall(sample))
    high = len(_HIGH.findall(sample))
    if good and good * 2 >= high - good * 2:  # mostly UTF-8, with a few stray bytes
        return "utf-8+cp1252", 0
    return _single_byte_encoding(sample), 0


def _single_byte_encoding(sample: bytes) -> str:
    """Windows-1252 (Excel for Windows) or Mac Roman (Excel for Mac's 'CSV (Macintosh)'): whichever
    makes the non-ASCII characters look like words (Zoë, Siobhán, I'm, café) rather than stray marks."""
    import unicodedata

    scores = {}
    for enc in ("cp1252", "mac_roman"):
        text = sample.decode(enc, errors="replace")
        score = 0
        for m in re.finditer(r"[^\x00-\x7f]", text):
            i = m.start()
            ch = text[i]
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            cat = unicodedata.category(ch)
            if cat == "Ll":
                score += 2 if before.isalpha() or after.isalpha() else -1
            elif cat == "Lu":
                score += -2 if before.islower() else 1
            elif ch == "\u2019":  # right single quote: I'm, O'Brien
                score += 1
            elif cat in ("Pi", "Ps"):
                score += -2 if before.isalpha() else 1
            elif cat in ("Pf", "Pe"):
                score += 1 if before.isalpha() and not after.isalpha() else -2
            elif cat in ("Cc", "Cn", "Co") or ch == "\ufffd":
                score -= 3
            elif before.isalpha() and after.isalpha():
                score -= 2  # a symbol inside a word
        scores[enc] = score
    if b"\r" in sample and b"\n" not in sample:
        scores["mac_roman"] += 2  # classic Mac line endings
    return "mac_roman" if scores["mac_roman"] > scores["cp1252"] else "cp1252"


def _text_stream(data: bytes, encoding: str, skip: int) -> io.TextIOWrapper:
    codec = {"utf-8-sig": "utf-8", "utf-8+cp1252": "utf-8"}.get(encoding, encoding)
    errors = _FALLBACK if codec == "utf-8" else "replace"
    return io.TextIOWrapper(io.BytesIO(data[skip:] if skip else data), encoding=codec, errors=errors,
                            newline="")


def _sniff_delimiter(head: str) -> str:
    lines = head.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    lines = [ln for ln in lines if ln.strip()][:30]
    best, best_score = ",", -1
    for d in _DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 0]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        if mode < 2:
            continue
        score = widths.count(mode) * 100 + mode
        if score > best_score:
            best, best_score = d, score
    return best


def _open_csv(path: Path, data: bytes, sha: str, max_rows: int) -> Source:
    encoding, skip = _detect_encoding(data)
    with _text_stream(data, encoding, skip) as fh:
        head = fh.read(65536)
    if "\x00" in head:
        raise SpreadsheetRefused(safety.NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if not head.strip():
        raise empty_sheet("The file")
    first_line = head.split("\n", 1)[0].strip().strip('"')
    sep_line = False
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter = first_line[4]
        sep_line = True
    else:
        delimiter = _sniff_delimiter(head)
    csv.field_size_limit(4 * 1024 * 1024)

    def records() -> Iterator[tuple[int, list[str]]]:
        with _text_stream(data, encoding, skip) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                if sep_line:
                    next(reader, None)
                for i, rec in enumerate(reader):
                    yield i + 1, rec
            except csv.Error:
                raise SpreadsheetRefused(safety.NOT_A_SPREADSHEET, "not_a_spreadsheet") from None

    first = []
    for number, rec in records():
        if not _is_blank_row(rec):
            first.append((number, rec))
            if len(first) >= HEADER_SEARCH_ROWS:
                break
    if not first:
        raise empty_sheet("The file")
    where = "The file"
    _idx, header_number, headers = find_header(first, where)
    width = len(headers)

    def iterate() -> Iterator[Row]:
        for number, rec in records():
            if number <= header_number:
                continue
            fitted = _fit([_unquote_excel_text(v) for v in rec], width)
            if _is_blank_row(fitted):
                continue
            yield number, fitted

    # Cheap upper bound first; count properly when it could be over the limit, or the file is small.
    estimated = max(0, data.count(b"\n") + 1 - header_number)
    exact = False
    if estimated > max_rows or len(data) < (1 << 20):
        estimated, exact = sum(1 for _ in iterate()), True
        if estimated > max_rows:
            raise too_many_rows(estimated, max_rows)
    sample = []
    for row in iterate():
        sample.append(row)
        if len(sample) >= SAMPLE_ROWS:
            break
    if not sample:
        raise header_only(where)
    notes = [f"Read as {_ENCODING_NAMES.get(encoding, encoding)} text, with columns separated by "
             f"{_DELIMITER_NAMES[delimiter]}."]
    if header_number > 1:
        notes.append(f"The column headings are in row {header_number}; the rows above them were not imported.")
    return Source(path, path.name, sha, len(data), "csv", None, header_number, headers, False, notes,
                  estimated, max_rows, iterate, sample, None, exact)


def header_preview(source: Source) -> list[tuple[str, str | None]]:
    """(header, the field it names) for every column: for messages and tests."""
    out = []
    for h in source.headers:
        m = match_header(h) if h else None
        out.append((h, m.field if m else None))
    return out
