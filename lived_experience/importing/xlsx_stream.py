"""A streaming reader for very large .xlsx sheets (a row at a time, little memory).

python-calamine is the fast reader, but it holds the whole sheet in memory
(about 1.6 KB a row for a Forms export: 160 MB for 100,000 rows). Above
``STREAM_ABOVE_BYTES`` of sheet XML the import reads with this instead:
expat, fed from the zip a megabyte at a time, with the same guards
defusedxml installs (no DTD, no entity declarations, no external entities;
``safety.check_zip`` has already refused any part that declares them).

It reads what calamine reads: shared and inline strings, numbers, booleans,
cached formula results (never the formula), and dates by their cell style in
the workbook's 1900 or 1904 date system. Rows come out as (row number, cells)
for the rows that hold cells, columns from ``first_col``: a sheet whose last
row is 1,048,576 (formatting to the end of the sheet) costs only the rows
written in it.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from lived_experience.importing import safety
from lived_experience.importing.safety import SpreadsheetRefused

STREAM_ABOVE_BYTES = 48 * 1024 * 1024
_CHUNK = 1 << 20
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BUILTIN_DATE = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_BUILTIN_TIME_ONLY = {18, 19, 20, 21, 45, 46, 47}
_REF = re.compile(r"([A-Z]+)(\d+)")
_COLUMN = re.compile(r"[A-Z]{1,3}")
_LAST_COLUMN = 16383  # XFD: no sheet is wider
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+):([A-Z]+\d+)"')
# A row with no cells, as written for formatting to the end of the sheet: dropped before expat sees it.
_EMPTY_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^<>]*/>")


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible | hidden | veryHidden
    part: str  # zip path of the worksheet XML

    @property
    def visible(self) -> bool:
        return self.state == "visible"


def _refuse(*_args) -> None:
    raise SpreadsheetRefused(safety.XML_ATTACK, "xml_attack")


def _parser(handlers, *, namespaces: bool = True) -> expat.XMLParserType:
    """An expat parser with defusedxml's guards: any DTD or entity declaration is refused."""
    p = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    p.StartDoctypeDeclHandler = _refuse
    p.EntityDeclHandler = _refuse
    p.UnparsedEntityDeclHandler = _refuse
    p.ExternalEntityRefHandler = _refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    p.buffer_size = 65536
    for name, fn in handlers.items():
        setattr(p, name, fn)
    return p


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', 16383 -> 'XFD'."""
    s = ""
    n = index + 1
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def is_date_format(code: str) -> bool:
    s = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)
    s = re.sub(r"\[[^\]]*\]", "", s).lower()
    if s in ("general", "@", ""):
        return False
    return any(ch in s for ch in "dmyhs") and not re.fullmatch(r"[#0.,%e+\- ]*", s)


def _has_date_part(code: str) -> bool:
    s = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    return any(ch in s for ch in "dy") or ("m" in s and "h" not in s and "s" not in s)


def _has_time_part(code: str) -> bool:
    s = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    return "h" in s or "s" in s


class StreamingWorkbook:
    """An .xlsx read a sheet at a time from bytes already checked by ``safety.check_zip``."""

    def __init__(self, data: bytes, date1904: bool):
        self.zf = zipfile.ZipFile(io.BytesIO(data))
        self.date1904 = date1904
        self.sheets = self._sheets()
        self.strings = self._shared_strings()
        self.styles = self._styles()

    def close(self) -> None:
        self.zf.close()
        self.strings = []

    # -- workbook parts -----------------------------------------------------------------------
    def _read_small(self, name: str) -> bytes | None:
        try:
            return self.zf.read(name)
        except KeyError:
            return None

    def _sheets(self) -> list[SheetInfo]:
        rels: dict[str, str] = {}
        raw = self._read_small("xl/_rels/workbook.xml.rels")
        if raw:
            for el in safety.parse_xml(raw).iter():
                if _local(el.tag.replace("}", " ")) == "Relationship":
                    target = el.get("Target") or ""
                    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join("xl", target))
                    rels[el.get("Id") or ""] = path
        out = []
        root = safety.parse_xml(self.zf.read("xl/workbook.xml"))
        for el in root.iter():
            if _local(el.tag.replace("}", " ")) == "sheet":
                # r:id, in the transitional or the Strict OOXML relationships namespace.
                rid = el.get(f"{{{_REL}}}id") or next(
                    (v for k, v in el.attrib.items() if k.endswith("}id") and "relationships" in k), "")
                part = rels.get(rid)
                if part and part in self.zf.NameToInfo:
                    out.append(SheetInfo(el.get("name") or "Sheet", el.get("state") or "visible", part))
        return out

    def _shared_strings(self) -> list[str]:
        name = "xl/sharedStrings.xml"
        if name not in self.zf.NameToInfo:
            return []
        strings: list[str] = []
        state = {"in_si": False, "in_t": False, "skip": 0, "buf": []}

        def start(tag, _attrs):
            t = _local(tag)
            if t == "si":
                state["in_si"] = True
                state["buf"] = []
            elif t in ("rPh", "phoneticPr"):
                state["skip"] += 1
            elif t == "t" and state["in_si"] and not state["skip"]:
                state["in_t"] = True

        def end(tag):
            t = _local(tag)
            if t == "si":
                strings.append("".join(state["buf"]))
                state["in_si"] = False
            elif t in ("rPh", "phoneticPr"):
                state["skip"] -= 1
            elif t == "t":
                state["in_t"] = False

        def chars(text):
            if state["in_t"]:
                state["buf"].append(text)

        p = _parser({"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": chars})
        with self.zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                p.Parse(chunk, False)
        p.Parse(b"", True)
        return strings

    def _styles(self) -> list[str | None]:
        """For each cell style index: 'date', 'datetime', 'time' or None."""
        raw = self._read_small("xl/styles.xml")
        if not raw:
            return []
        root = safety.parse_xml(raw)
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for el in root.iter():
            tag = _local(el.tag.replace("}", " "))
            if tag == "numFmt":
                try:
                    custom[int(el.get("numFmtId") or -1)] = el.get("formatCode") or ""
                except ValueError:
                    continue
        for el in root.iter():
            if _local(el.tag.replace("}", " ")) == "cellXfs":
                for xf in el:
                    try:
                        xfs.append(int(xf.get("numFmtId") or 0))
                    except ValueError:
                        xfs.append(0)
                break
        out: list[str | None] = []
        for fmt in xfs:
            if fmt in custom:
                code = custom[fmt]
                if not is_date_format(code):
                    out.append(None)
                elif _has_date_part(code):
                    out.append("datetime" if _has_time_part(code) else "date")
                else:
                    out.append("time")
            elif fmt in _BUILTIN_DATE:
                out.append("time" if fmt in _BUILTIN_TIME_ONLY else ("datetime" if fmt == 22 else "date"))
            else:
                out.append(None)
        return out

    # -- a sheet ------------------------------------------------------------------------------
    def merged(self, sheet: SheetInfo) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Merged ranges (0-based, inclusive), found by scanning the sheet's XML text."""
        out = []
        tail = b""
        with self.zf.open(sheet.part) as fh:
            while chunk := fh.read(_CHUNK):
                text = tail + chunk
                for m in _MERGE.finditer(text):
                    (c1, r1), (c2, r2) = (_REF.fullmatch(m.group(i).decode()).groups() for i in (1, 2))
                    out.append(((int(r1) - 1, column_index(c1)), (int(r2) - 1, column_index(c2))))
                tail = text[-200:]
        return sorted(set(out))

    def dimensions(self, sheet: SheetInfo) -> tuple[int, int] | None:
        """(first column, last row) from the sheet's <dimension>, when it has one."""
        with self.zf.open(sheet.part) as fh:
            head = fh.read(4096)
        m = re.search(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)\d+(?::[A-Z]+(\d+))?"', head)
        if not m:
            return None
        return column_index(m.group(1).decode()), int(m.group(2) or 1)

    def iter_rows(self, sheet: SheetInfo, first_col: int = 0) -> Iterator[tuple[int, list]]:
        """(row number, cell values from ``first_col``) for every row that holds a cell."""
        strings = self.strings
        styles = self.styles
        n_styles = len(styles)
        epoch = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
        done: list[tuple[int, list]] = []
        columns: dict[str, int] = {}
        names: dict[str, int] = {}  # tag -> 1 cell, 2 value or text, 3 row, 0 anything else
        row = -1
        next_row = 0
        cells: list | None = None
        col = -1
        ctype = style = None
        buf: list | None = None
        inside = False

        def kind_of(tag: str) -> int:
            local = tag.rpartition(":")[2]
            k = names[tag] = {"c": 1, "v": 2, "t": 2, "row": 3}.get(local, 0)
            return k

        def start(tag, attrs):
            nonlocal row, next_row, cells, col, ctype, style, buf, inside
            k = names.get(tag)
            if k is None:
                k = kind_of(tag)
            if k == 1:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    c = columns.get(letters)
                    if c is None:
                        if not _COLUMN.fullmatch(letters):
                            raise SpreadsheetRefused(safety.NOT_A_SPREADSHEET, "not_a_spreadsheet")  # "B3x7"
                        c = columns[letters] = column_index(letters)
                    col = c
                else:
                    col += 1
                if col > _LAST_COLUMN:
                    raise SpreadsheetRefused(safety.NOT_A_SPREADSHEET, "not_a_spreadsheet")
                ctype = attrs.get("t")
                style = attrs.get("s")
                buf = None
            elif k == 2:
                if cells is not None:
                    inside = True
                    if buf is None:
                        buf = []
            elif k == 3:
                r = attrs.get("r")
                row = int(r) - 1 if r and r.isdigit() else next_row
                next_row = row + 1
                cells = []
                col = -1

        def chars(text):
            if inside:
                buf.append(text)

        def end(tag):
            nonlocal cells, inside
            k = names.get(tag)
            if k is None:
                k = kind_of(tag)
            if k == 2:
                inside = False
            elif k == 1:
                i = col - first_col
                if i < 0 or buf is None:
                    return
                raw = buf[0] if len(buf) == 1 else "".join(buf)
                if ctype == "s":
                    try:
                        value = strings[int(raw)]
                    except (ValueError, IndexError):
                        value = ""
                elif ctype is None or ctype == "n":
                    try:
                        value = float(raw)
                    except ValueError:
                        value = raw
                    else:
                        if style:
                            si = int(style) if style.isdigit() else -1
                            fmt = styles[si] if 0 <= si < n_styles else None
                            if fmt is not None:
                                value = _as_date(value, fmt, epoch)
                elif ctype in ("str", "inlineStr"):
                    value = raw
                elif ctype == "d":  # an ISO 8601 date cell (Strict OOXML and some writers)
                    value = _iso_cell(raw)
                elif ctype == "b":
                    value = raw.strip() in ("1", "true")
                else:  # "e": an error value such as #N/A
                    value = ""
                n = len(cells)
                if i == n:
                    cells.append(value)
                else:
                    if i > n:
                        cells.extend([""] * (i - n + 1))
                    cells[i] = value
            elif k == 3:
                if cells:
                    done.append((row + 1, cells))
                cells = None

        p = _parser({"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": chars},
                    namespaces=False)
        with self.zf.open(sheet.part) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                p.Parse(_EMPTY_ROW.sub(b"", chunk) if b"/>" in chunk else chunk, not chunk)
                yield from done
                done.clear()
                if not chunk:
                    break


def _iso_cell(raw: str):
    """A t="d" cell's ISO 8601 text as a date or date-time, as python-calamine reads it."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return raw
    return moment


def _as_date(value: float, fmt: str, epoch: dt.datetime):
    if not -1 < value < 2_958_466:
        return value
    moment = epoch + dt.timedelta(days=value)
    if fmt == "time":
        return moment.time()
    if fmt in ("date", "datetime") and value.is_integer():
        return moment.date()  # a whole day, as python-calamine reads it
    # Round to the second, as Excel shows it.
    micro = moment.microsecond
    moment = moment.replace(microsecond=0) + (dt.timedelta(seconds=1) if micro >= 500_000 else dt.timedelta())
    return moment
