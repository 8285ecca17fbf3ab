"""Refusing hostile or broken files before anything parses them.

Everything here looks at raw bytes and the zip's own directory: nothing is
decompressed without a limit and no XML is parsed except with defusedxml.

- A zip (xlsx, xlsm, ods) is checked *before* it is opened: the number of entries,
  the total size its directory declares, and each entry's compression ratio.
  Then every entry is inflated with a hard cap (the declared size), so a
  directory that lies about sizes is caught too, and every XML part's prolog is
  checked for a DTD or entity declarations (spreadsheets never use them; they
  are how "billion laughs" attacks work).
- An OLE2/CFB file holding an ``EncryptedPackage`` stream is a password-protected
  Office file; one holding a ``Workbook``/``Book`` stream is an old Excel 97-2003
  workbook (.xls), read by python-calamine; any other CFB file is not a spreadsheet.
- An OpenDocument spreadsheet (.ods, LibreOffice) is a zip like .xlsx and gets the
  same checks; an encrypted one is refused as password-protected.
- Files that announce another format in their first bytes (PDF, images, web pages,
  RTF) are not spreadsheets, whatever they are called. Anything else must decode
  as text to be read as CSV.
- While each worksheet is inflated, the extent of its cells is measured (the last
  row and the last column anything is written in), because python-calamine builds
  a dense grid of that size: one value typed in cell XFD1048576 would otherwise ask
  for half a terabyte and end the program.

Each refusal is a :class:`SpreadsheetRefused` with one plain-English message and
a short ``code`` (for tests and the command line's JSON).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from lived_experience.core.errors import FileRefused

# Limits. Real exports are far inside them: a 200,000-row Forms export is about
# 60 MB on disk and 300 MB of XML; entries compress 5-20 times.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny parts (styles, themes) may compress very well
_CHUNK = 1 << 20

NOT_A_SPREADSHEET = ("This is not a spreadsheet that can be read. Open it in Excel and save it as an "
                     "Excel Workbook (.xlsx) or a CSV file, then import that.")
PASSWORD_PROTECTED = ("This file is password-protected: open it in Excel and save a copy without a "
                      "password.")
ZIP_BOMB = ("This file is not safe to open: it would expand to far more than any spreadsheet of "
            "applications (it looks like a 'zip bomb'). Nothing was imported.")
XML_ATTACK = ("This file is not safe to open: it contains XML entity declarations, which spreadsheets "
              "never use (it looks built to attack the computer). Nothing was imported.")
OLD_XLS = ("This is an old Excel 97-2003 workbook (.xls) that cannot be read. Open it in Excel and save it as "
           "an Excel Workbook (.xlsx), then import that.")
BINARY_XLSB = ("This is an Excel Binary Workbook (.xlsb). Open it in Excel and save it as an Excel "
               "Workbook (.xlsx), then import that.")
OPEN_DOCUMENT = ("This is an OpenDocument file but not a spreadsheet (it may be a text document). Open the "
                 "spreadsheet itself, or save it as an Excel Workbook (.xlsx) or a CSV file, then import that.")
DAMAGED = ("This spreadsheet is damaged (part of it does not match its own checksum), so it cannot be read. Open "
           "it in Excel and save a copy, or ask the sender for it again.")
# Formats that announce themselves in their first bytes: never spreadsheets, whatever the file is called.
_OTHER_FORMATS = ((b"%PDF-", "a PDF document"), (b"\x89PNG", "a picture"), (b"\xff\xd8\xff", "a picture"),
                  (b"GIF8", "a picture"), (b"{\\rtf", "a Word document (RTF)"), (b"7z\xbc\xaf", "a 7-Zip archive"),
                  (b"Rar!", "a RAR archive"), (b"\x1f\x8b", "a compressed (gzip) file"))
_HTML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<table)", re.I)
EMPTY_FILE = "This file is empty: there is nothing in it to import."
WEB_PAGE = ("This is a web page (HTML) saved with a spreadsheet's name, as some web systems export them. Open it "
            "in Excel and save it as an Excel Workbook (.xlsx), then import that.")
XML_2003 = ("This is an Excel 2003 XML spreadsheet. Open it in Excel and save it as an Excel Workbook (.xlsx), "
            "then import that.")
FLAT_ODS = ("This is a flat XML spreadsheet (.fods). Open it in LibreOffice Calc and save it as an ODF "
            "Spreadsheet (.ods) or an Excel Workbook (.xlsx), then import that.")
XML_DATA = ("This is an XML file, not a spreadsheet. If it came from a spreadsheet program, open it there and "
            "save it as an Excel Workbook (.xlsx) or CSV, then import that.")
_XML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:\?xml\s|[A-Za-z_][\w.:-]*\s[^>]*\bxmlns\b)")
GOOGLE_SHORTCUT = ("This is only a shortcut to a Google Sheets spreadsheet, not the spreadsheet itself. Open it in "
                   "Google Sheets and choose File > Download > Microsoft Excel (.xlsx), then import that file.")
NUMBERS = ("This is an Apple Numbers file. In Numbers choose File > Export To > Excel (or CSV), then import that "
           "file.")
TOO_SPREAD_OUT = ("This sheet has something typed far outside its table (as far as {where}), so it is too big to "
                  "read. Delete the rows below and the columns to the right of your data, save, and import it again.")


class SpreadsheetRefused(FileRefused):
    """The file as a whole cannot be imported. ``code`` names the reason."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "xlsx" | "ods" | "xls" | "csv"


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab"}


def too_big(size: int) -> SpreadsheetRefused:
    mb = size / (1024 * 1024)
    return SpreadsheetRefused(
        f"This file is {mb:,.0f} MB: the largest file one import can take is "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files.", "too_big")


def sniff(data: bytes, suffix: str) -> Sniffed:
    """What the bytes are, whatever the file is called."""
    if not data:
        raise SpreadsheetRefused(EMPTY_FILE, "empty_file")
    if data.startswith(_CFB_MAGIC):
        return _cfb_kind(data)
    if data.startswith(_ZIP_MAGICS):
        return Sniffed("zip")  # xlsx/xlsm or ods: check_zip says which
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            raise SpreadsheetRefused(f"This is {what}, not a spreadsheet: import the spreadsheet itself (.xlsx, "
                                     ".xls, .ods or .csv).", "not_a_spreadsheet")
    head = data[:4096]
    if _HTML.match(head):
        raise SpreadsheetRefused(WEB_PAGE, "web_page")
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b'progid="Excel.Sheet"' in head:
        raise SpreadsheetRefused(XML_2003, "xml_2003")
    if _XML.match(head):
        # No CSV starts with an XML declaration or a namespaced tag: read as text it would only say the
        # header row is missing.
        if b"opendocument.spreadsheet" in head or b"<office:document" in head:
            raise SpreadsheetRefused(FLAT_ODS, "flat_ods")
        raise SpreadsheetRefused(XML_DATA, "xml_data")
    if suffix.lower() in (".gsheet", ".gsheets") or (head.lstrip().startswith(b"{") and b"docs.google.com" in head):
        raise SpreadsheetRefused(GOOGLE_SHORTCUT, "google_shortcut")
    suffix = suffix.lower()
    if suffix in _TEXT_EXTENSIONS:
        return Sniffed("csv")
    if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm", ".ods", ".xlsb"):
        # A text file (or anything else) renamed .xlsx.
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if looks_like_text(data[:65536]):
        # Old "xls" files from web systems are often really CSV text.
        return Sniffed("csv")
    raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")


def looks_like_text(sample: bytes) -> bool:
    """Text in one of the encodings CSV files come in (UTF-8/16, Windows-1252), not binary."""
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if _utf16_without_bom(sample):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 200


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte is NUL (ASCII text in UTF-16)."""
    n = min(len(sample), 4096) & ~1
    if n < 4:
        return None
    even = sample[0:n:2]
    odd = sample[1:n:2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


# An .xls saved with a password to open keeps the OLE2 layout but encrypts its records; the
# workbook's first BOF record (Excel 97-2003, or 5.0/95) is then followed at once by FILEPASS
# (record 0x002F). python-calamine only says it "cannot detect the file format" when reading from memory.
_XLS_FILEPASS = re.compile(rb"\x09\x08\x10\x00\x00\x06\x05\x00.{12}\x2f\x00|\x09\x08\x08\x00\x00\x05\x05\x00.{4}\x2f\x00",
                           re.S)


def _cfb_kind(data: bytes) -> Sniffed:
    """An OLE2 compound file: an encrypted Office document, an old .xls, or something else.

    Stream names are stored in UTF-16LE in the file's directory sectors, which may
    be anywhere in the file (Excel writes them after the encrypted data).
    """
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise SpreadsheetRefused(PASSWORD_PROTECTED, "password_protected")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        if _XLS_FILEPASS.search(data):
            raise SpreadsheetRefused(PASSWORD_PROTECTED, "password_protected")
        return Sniffed("xls")
    if "WordDocument".encode("utf-16-le") in data:
        raise SpreadsheetRefused("This is a Word document, not a spreadsheet: import the spreadsheet itself (.xlsx, "
                                 ".xls, .ods or .csv).", "not_a_spreadsheet")
    raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")


# -- zip ------------------------------------------------------------------------------------------
# python-calamine holds a sheet as a dense grid of about 28 bytes a cell, from its first to its last
# used row and column. Above this many cells the streaming reader (xlsx) is used, or the file is
# refused (ods, where there is no streaming reader). A 60,000-row Forms export of 25 columns is
# 1.5 million cells.
CALAMINE_MAX_CELLS = 4_000_000
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class ZipFacts:
    entries: int
    declared_bytes: int
    actual_bytes: int
    names: frozenset[str]
    sizes: dict[str, int]  # entry -> inflated size
    kind: str = "xlsx"  # xlsx | ods
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)  # worksheet -> (rows, columns), at most

    def dense_cells(self) -> int:
        """The largest grid python-calamine could build for any one worksheet."""
        return max((r * c for r, c in self.extents.values()), default=0)

    def farthest(self) -> tuple[int, int]:
        return max(self.extents.values(), key=lambda rc: rc[0] * rc[1], default=(0, 0))


def check_zip(data: bytes) -> ZipFacts:
    """Refuse a zip bomb, an XML attack, an encrypted or damaged zip, or a zip that is not a workbook.

    Reads only the zip's central directory and then inflates each entry with a
    cap; nothing is handed to a spreadsheet or XML parser here.
    """
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
            struct.error):
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
    declared = 0
    for info in infos:
        declared += info.file_size
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
        if (info.file_size > RATIO_CHECK_FROM_BYTES
                and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
            raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
        if info.flag_bits & 0x1:
            raise SpreadsheetRefused(PASSWORD_PROTECTED, "password_protected")
    names = frozenset(i.filename for i in infos)
    by_name = {i.filename: i for i in infos}
    if "xl/workbook.bin" in names:
        raise SpreadsheetRefused(BINARY_XLSB, "xlsb")
    if "Index/Document.iwa" in names or "Index.zip" in names or any(n.endswith(".iwa") for n in names):
        raise SpreadsheetRefused(NUMBERS, "numbers")
    kind = "xlsx"
    if "mimetype" in names or "content.xml" in names:
        mime = _small_entry(data, by_name["mimetype"], 200).strip() if "mimetype" in names else ODS_MIME
        if not mime.startswith(ODS_MIME):
            raise SpreadsheetRefused(OPEN_DOCUMENT, "not_a_spreadsheet")
        if "content.xml" not in names:
            raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
        kind = "ods"
    elif "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if (kind == "ods" and "META-INF/manifest.xml" in names
            and b"encryption-data" in _small_entry(data, by_name["META-INF/manifest.xml"], 4 << 20)):
        raise SpreadsheetRefused(PASSWORD_PROTECTED, "password_protected")
    actual = 0
    sizes: dict[str, int] = {}
    extents: dict[str, tuple[int, int]] = {}
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        scan = _Extent() if name.startswith("xl/worksheets/") and name.endswith(".xml") else None
        sizes[name] = _inflate_checked(data, info, scan)
        if scan is not None:
            extents[name] = scan.bounds()
        actual += sizes[name]
        if actual > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
    return ZipFacts(len(infos), declared, actual, names, sizes, kind, extents)


def _small_entry(data: bytes, info: zipfile.ZipInfo, cap: int) -> bytes:
    """An entry's first ``cap`` bytes (after check_zip's directory checks)."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(info) as fh:
            return fh.read(cap)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, zlib.error, struct.error):
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None


class _Extent:
    """How far a worksheet's cells reach, measured on the inflated XML as it streams past.

    Every producer writes each row as ``<row r="N"`` and each cell as ``<c r="B7"``, so the
    largest row number and the widest column are found with C-speed searches (about 6 ms a
    megabyte, against 2 ms to inflate it). A row or cell without a reference (allowed: they are numbered one after another)
    makes the extent unknown, and the sheet is treated as reaching everywhere.
    """

    _ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
    _KEEP = 512
    UNKNOWN = (1 << 20, 1 << 14)

    def __init__(self) -> None:
        self.tail = b""
        self.patterns: tuple[re.Pattern, ...] | None = None
        self.max_row = 0
        self.widest = b""
        self.unknown = False

    def _compile(self, text: bytes) -> None:
        m = self._ROOT.search(text, 0, 65536)
        p = re.escape(m.group(1)) if m and m.group(1) else b""
        # One pass for rows and one for cells: a row's number, or a row without one; a cell in column
        # AA or beyond, or a cell without a reference (cells in A..Z do not match at all).
        self.patterns = (re.compile(b"<" + p + rb'row(?: r="(\d{1,10})"|(?! r=")[\s>/])'),
                         re.compile(b"<" + p + rb'c(?: r="([A-Z]{2,3})\d|(?! r=")[\s>/])'))

    def feed(self, chunk: bytes, final: bool = False) -> None:
        text = self.tail + chunk if self.tail else chunk
        if self.patterns is None:
            if len(text) < 4096 and not final:
                self.tail = text
                return
            self._compile(text)
        # Measure up to the last tag that starts before the final few hundred bytes: attribute values
        # cannot hold '<', so everything before it is whole tags and each search below is exact.
        cut = len(text) if final else text.rfind(b"<", 0, max(0, len(text) - self._KEEP))
        if cut <= 0:
            self.tail = text
            return
        rows, cells = self.patterns
        found = set(rows.findall(text, 0, cut))
        if b"" in found:
            self.unknown = True  # a row without its number
            found.discard(b"")
        if found:
            self.max_row = max(self.max_row, max(map(int, found)))
        for letters in set(cells.findall(text, 0, cut)):
            if not letters:
                self.unknown = True  # a cell without its reference
            elif (len(letters), letters) > (len(self.widest), self.widest):
                self.widest = letters
        self.tail = text[cut:]

    def bounds(self) -> tuple[int, int]:
        if self.unknown:
            return self.UNKNOWN
        columns = 26
        if self.widest:
            n = 0
            for ch in self.widest.decode("ascii"):
                n = n * 26 + (ord(ch) - 64)
            columns = max(columns, n)
        return self.max_row, columns


# Declarations that make an XML part an entity attack, in the encodings XML parts come in.
_DTD_MARKS = {enc: tuple(w.encode(enc) for w in ("<!DOCTYPE", "<!ENTITY")) for enc in ("utf-8", "utf-16-le", "utf-16-be")}


def _xml_encoding(first: bytes) -> str:
    if first.startswith(b"\xff\xfe") or first[:2] == b"<\x00":
        return "utf-16-le"
    if first.startswith(b"\xfe\xff") or first[:2] == b"\x00<":
        return "utf-16-be"
    return "utf-8"


def _inflate_checked(data: bytes, info: zipfile.ZipInfo, scan: _Extent | None = None) -> int:
    """Inflate one entry from its raw bytes, never much past its declared size, and check it.

    Checks the entry's CRC (a damaged file), refuses any DTD or entity declaration
    anywhere in an XML part, and feeds a worksheet's XML to ``scan``.
    """
    off = info.header_offset
    try:
        sig, _v, _flag, method, _t, _d, _crc, _cs, _us, nlen, xlen = struct.unpack(
            "<IHHHHHIIIHH", data[off:off + 30])
    except struct.error:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
    if sig != 0x04034B50:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    start = off + 30 + nlen + xlen
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")  # truncated file
    limit = info.file_size
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    crc = 0
    tail = b""
    marks: tuple[bytes, ...] | None = None

    def take(chunk) -> None:
        nonlocal crc, tail, marks
        crc = zlib.crc32(chunk, crc)
        chunk = bytes(chunk)
        if is_xml:
            if marks is None:
                marks = _DTD_MARKS[_xml_encoding(chunk[:4])]
            window = tail + chunk[:64]
            if any(m in chunk or m in window for m in marks):
                raise SpreadsheetRefused(XML_ATTACK, "xml_attack")
            tail = chunk[-32:]
        if scan is not None:
            scan.feed(chunk)

    if method == 0:  # stored
        if len(raw) != limit:
            raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
        for i in range(0, len(raw), _CHUNK):
            take(raw[i:i + _CHUNK])
        produced = len(raw)
    elif method == 8:  # deflate: the only method Excel, LibreOffice, Google Sheets and Numbers use
        produced = _inflate(raw, limit, take)
    else:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if scan is not None:
        scan.feed(b"", final=True)
    if produced != limit or (crc & 0xFFFFFFFF) != info.CRC:
        raise SpreadsheetRefused(DAMAGED, "damaged")
    return produced


def _inflate(raw: memoryview, limit: int, take) -> int:
    """Inflate ``raw`` a megabyte at a time into ``take``; stop when it runs far past ``limit``.

    A directory that understates the size (as zip bombs do) is caught as soon as the
    output passes the declared size by more than a damaged file could explain.
    """
    d = zlib.decompressobj(-15)
    produced = 0
    pos = 0
    cap = limit + max(limit, 16 * _CHUNK)
    try:
        while True:
            if d.unconsumed_tail:
                chunk = d.decompress(d.unconsumed_tail, _CHUNK)
            elif pos < len(raw):
                chunk = d.decompress(raw[pos:pos + _CHUNK], _CHUNK)
                pos += _CHUNK
            else:
                chunk = d.flush()
            produced += len(chunk)
            if produced > cap:
                raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
            if chunk and produced <= limit:
                take(chunk)
            if d.eof or (not chunk and not d.unconsumed_tail and pos >= len(raw)):
                break
    except zlib.error:
        raise SpreadsheetRefused(DAMAGED, "damaged") from None
    return produced


# Merged cells kept per sheet: more is a sheet made to exhaust memory, not a form's export.
MAX_MERGED_RANGES = 20_000


def ods_extent(content: bytes) -> tuple[int, int]:
    """(rows, columns) that python-calamine would make of an .ods file's largest sheet."""
    return ods_layout(content)[0]


def ods_layout(content: bytes) -> tuple[tuple[int, int], dict[str, list]]:
    """((rows, columns) that python-calamine would make of an .ods file's largest sheet, and each sheet's
    merged cells as ``((first row, first column), (last row, last column))``, 0-based, as python-calamine
    gives them for .xlsx; it gives none for .ods).

    OpenDocument repeats rows and cells with ``number-rows-repeated`` and
    ``number-columns-repeated``; a cell holding a value repeated 16,000 times in a row
    repeated a million times would ask for billions of cells. Empty repeated cells
    (LibreOffice writes them for the unused rest of every sheet) do not count.
    Parsed with expat under the same guards as defusedxml.
    """
    from xml.parsers import expat

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office_ns = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    rows_rep, cols_rep = f"{table_ns} number-rows-repeated", f"{table_ns} number-columns-repeated"
    rows_span, cols_span = f"{table_ns} number-rows-spanned", f"{table_ns} number-columns-spanned"
    table_name = f"{table_ns} name"
    value_type = f"{office_ns} value-type"
    merges: dict[str, list] = {}
    current: list = []
    state = {"row": 0, "col": 0, "row_rep": 1, "cell_rep": 1, "cell_has": False, "depth_cell": 0,
             "max_row": 0, "max_col": 0, "best": (0, 0), "in_row_max": 0}

    def reps(attrs, key) -> int:
        try:
            return max(1, min(int(attrs.get(key, "1")), 1 << 24))
        except ValueError:
            return 1

    def refuse(*_args):
        raise SpreadsheetRefused(XML_ATTACK, "xml_attack")

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        if local == "table" and name.startswith(table_ns):
            state.update(row=0, max_row=0, max_col=0)
            current.clear()
            current.append(merges.setdefault(attrs.get(table_name, ""), []))
        elif local == "table-row":
            state["row_rep"] = reps(attrs, rows_rep)
            state["col"] = 0
            state["in_row_max"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            state["cell_rep"] = reps(attrs, cols_rep)
            state["cell_has"] = value_type in attrs
            state["depth_cell"] = 1
            if (rows_span in attrs or cols_span in attrs) and current and len(current[0]) < MAX_MERGED_RANGES:
                down, across = reps(attrs, rows_span), reps(attrs, cols_span)
                if down > 1 or across > 1:
                    r, c = state["row"], state["col"]
                    current[0].append(((r, c), (r + down - 1, c + across - 1)))
        elif state["depth_cell"]:
            state["cell_has"] = True  # text or other content inside the cell
            state["depth_cell"] += 1

    def end(name):
        local = name.rsplit(" ", 1)[-1]
        if local in ("table-cell", "covered-table-cell"):
            state["col"] += state["cell_rep"]
            if state["cell_has"]:
                state["in_row_max"] = state["col"]
            state["depth_cell"] = 0
        elif local == "table-row":
            state["row"] += state["row_rep"]
            if state["in_row_max"]:
                state["max_row"] = state["row"]
                state["max_col"] = max(state["max_col"], state["in_row_max"])
        elif local == "table" and name.startswith(table_ns):
            if state["max_row"] * state["max_col"] > state["best"][0] * state["best"][1]:
                state["best"] = (state["max_row"], state["max_col"])
        elif state["depth_cell"] > 1:
            state["depth_cell"] -= 1

    p = expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.UnparsedEntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler = start
    p.EndElementHandler = end
    try:
        for i in range(0, len(content), _CHUNK):
            p.Parse(content[i:i + _CHUNK], False)
        p.Parse(b"", True)
    except expat.ExpatError:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
    return state["best"], merges


def parse_xml(data: bytes):
    """Parse a small XML part (workbook.xml) with defusedxml: no DTDs, entities or external refs."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SpreadsheetRefused(XML_ATTACK, "xml_attack") from None
    except Exception:  # noqa: BLE001 - any parse error means a damaged file
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
