"""Refusing hostile or broken files before anything parses them.

Everything here looks at raw bytes and the zip's own directory: nothing is
decompressed without a limit and no XML is parsed except with defusedxml.

- A zip (xlsx, xlsm) is checked *before* it is opened: the number of entries,
  the total size its directory declares, and each entry's compression ratio.
  Then every entry is inflated with a hard cap (the declared size), so a
  directory that lies about sizes is caught too, and every XML part's prolog is
  checked for a DTD or entity declarations (spreadsheets never use them; they
  are how "billion laughs" attacks work).
- An OLE2/CFB file holding an ``EncryptedPackage`` stream is a password-protected
  Office file; any other CFB file is an old .xls (or not a spreadsheet at all).
- Anything else must decode as text to be read as CSV.

Each refusal is a :class:`SpreadsheetRefused` with one plain-English message and
a short ``code`` (for tests and the command line's JSON).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass

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
OLD_XLS = ("This is an old Excel 97-2003 workbook (.xls). Open it in Excel and save it as an Excel "
           "Workbook (.xlsx), then import that.")
BINARY_XLSB = ("This is an Excel Binary Workbook (.xlsb). Open it in Excel and save it as an Excel "
               "Workbook (.xlsx), then import that.")
OPEN_DOCUMENT = ("This is an OpenDocument spreadsheet (.ods). Save it from LibreOffice as an Excel "
                 "Workbook (.xlsx) or a CSV file, then import that.")
EMPTY_FILE = "This file is empty: there is nothing in it to import."


class SpreadsheetRefused(FileRefused):
    """The file as a whole cannot be imported. ``code`` names the reason."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "xlsx" | "csv"


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
        raise _cfb_refusal(data)
    if data.startswith(_ZIP_MAGICS):
        return Sniffed("xlsx")
    suffix = suffix.lower()
    if suffix in _TEXT_EXTENSIONS:
        return Sniffed("csv")
    if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        # A text file (or anything else) renamed .xlsx.
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if suffix == ".xls":
        # Old "xls" files from web systems are often really CSV or HTML text.
        if looks_like_text(data[:65536]):
            return Sniffed("csv")
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    if looks_like_text(data[:65536]):
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


def _cfb_refusal(data: bytes) -> SpreadsheetRefused:
    """An OLE2 compound file: an encrypted Office document, an old .xls, or something else.

    Stream names are stored in UTF-16LE in the file's directory sectors, which may
    be anywhere in the file (Excel writes them after the encrypted data).
    """
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return SpreadsheetRefused(PASSWORD_PROTECTED, "password_protected")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return SpreadsheetRefused(OLD_XLS, "old_xls")
    return SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")


# -- zip ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZipFacts:
    entries: int
    declared_bytes: int
    actual_bytes: int
    names: frozenset[str]
    sizes: dict[str, int]  # entry -> inflated size


def check_zip(data: bytes) -> ZipFacts:
    """Refuse a zip bomb, an XML attack, an encrypted zip, or a zip that is not a workbook.

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
    if "xl/workbook.bin" in names:
        raise SpreadsheetRefused(BINARY_XLSB, "xlsb")
    if "content.xml" in names and "mimetype" in names:
        raise SpreadsheetRefused(OPEN_DOCUMENT, "ods")
    if "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    actual = 0
    sizes: dict[str, int] = {}
    for info in infos:
        if info.is_dir():
            continue
        sizes[info.filename] = _inflate_checked(data, info)
        actual += sizes[info.filename]
        if actual > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
    return ZipFacts(len(infos), declared, actual, names, sizes)


def _inflate_checked(data: bytes, info: zipfile.ZipInfo) -> int:
    """Inflate one entry from its raw bytes, never past its declared size; check XML prologs."""
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
    if method == 0:  # stored
        if len(raw) > limit:
            raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
        if is_xml:
            _check_prolog(bytes(raw[:4096]))
        return len(raw)
    if method != 8:  # only deflate is used by Excel, LibreOffice, Google Sheets and Numbers
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")
    d = zlib.decompressobj(-15)
    produced = 0
    head = b""
    pos = 0
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
                if is_xml and len(head) < 4096:
                    head += chunk[:4096]
                break
            produced += len(chunk)
            if produced > limit:
                # More than the directory said: a lying header, as zip bombs use.
                raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
            if is_xml and len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            if d.eof:
                break
            if not chunk and not d.unconsumed_tail and pos >= len(raw):
                break
    except zlib.error:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet") from None
    if produced > limit:
        raise SpreadsheetRefused(ZIP_BOMB, "zip_bomb")
    if produced != limit:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET, "not_a_spreadsheet")  # damaged entry
    if is_xml:
        _check_prolog(head)
    return produced


def _check_prolog(head: bytes) -> None:
    """A DTD can only come before the root element, so the first bytes tell."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text.decode("utf-16", "ignore").encode("ascii", "ignore")
    upper = text.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise SpreadsheetRefused(XML_ATTACK, "xml_attack")


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
