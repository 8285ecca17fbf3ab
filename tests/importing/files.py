"""Spreadsheets made by the tests themselves: Forms-style exports, Google Forms, hand-typed
sheets, CSV in every encoding, and hostile or broken files. Also used by the benchmark.

All people are fictional: phones from Ofcom's drama range (07700 900xxx), emails at example.org.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FORMS_META = ["ID", "Start time", "Completion time", "Email", "Name"]
QUESTIONS = [
    "What is your full name?",
    "Email address",
    "Phone number",
    "Date of birth",
    "What is your postcode?",
    "Work postcode",
    "How did you hear about us?",
    "Which of these best describes you?",
    "Which types of crime have you experienced?",
    "Why do you want to join the group?",
    "When are you available?",
    "Would you prefer an interview or a video?",
    "Is it safe to phone you?",
    "Which age group are you in?",
    "What is your sex?",
    "What is your ethnic group?",
    "Do you consider yourself to be disabled?",
    "What is your religion?",
]
FIRST = ["Zoë", "Siobhán", "Łukasz", "Aoife", "Oluwaseun", "Priya", "Mohammed", "Wei", "Amara", "Declan",
         "Fatima", "Gurpreet", "Hannah", "Imran", "Jasmine", "Kwame", "Leah", "Mateusz", "Nadia", "Owen"]
LAST = ["Abara", "Begum", "Chaudhry", "Dąbrowski", "Evans", "Fernández", "Gill", "Hughes", "Islam", "O'Brien",
        "Kaur", "Lewandowski", "Mistry", "Nowak", "Patel", "Quinn", "Rahman", "Singh", "Thompson", "Walsh"]
DISTRICTS = ["LE1", "LE2", "LE3", "LE4", "LE5", "LE7", "LE8", "LE11", "LE13", "LE15", "LE18", "LE65", "LE67",
             "LE12", "NG1"]
HOW_HEARD = ["OPCC website", "Social media", "People Zones website", "Neighbourhood Link", "Saw it on Facebook",
             "My ISVA told me", "A friend", ""]
BASIS = ["I have been a victim of crime", "I work closely with victims of crime",
         "I represent a voluntary or statutory organisation"]
AREAS = ["Domestic abuse", "Sexual violence", "Hate crime", "Fraud", "Road traffic collision", "Stalking or harassment"]
STATEMENT = ("After reporting a crime I waited weeks for an update. I want to help make sure others are kept "
             "informed and treated with respect by the services that support them.")
AGE = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Prefer not to say"]
SEX = ["Female", "Male", "Prefer not to say"]
ETHNIC = ["White British", "Asian or Asian British", "Black British", "Mixed", "Prefer not to say"]
YESNO = ["Yes", "No", "Prefer not to say"]
RELIGION = ["No religion", "Christian", "Muslim", "Hindu", "Sikh", "Prefer not to say"]


# Ofcom's numbers for drama: 1,000 in each range, none of them anyone's real number.
PHONE_RANGES = ["0113 496 0{:03d}", "0114 496 0{:03d}", "0115 496 0{:03d}", "0116 496 0{:03d}",
                "0117 496 0{:03d}", "0118 496 0{:03d}", "0121 496 0{:03d}", "0131 496 0{:03d}",
                "0141 496 0{:03d}", "0151 496 0{:03d}", "0161 496 0{:03d}", "020 7946 0{:03d}",
                "0191 498 0{:03d}", "028 9649 6{:03d}", "029 2018 0{:03d}", "01632 960{:03d}",
                "07700 900{:03d}"]


def phone_for(i: int) -> str:
    """A different drama-range number for each of the first 17,000 applicants, then none."""
    block, n = divmod(i, 1000)
    return PHONE_RANGES[block].format(n) if block < len(PHONE_RANGES) else ""


def applicant(i: int, r: random.Random, *, base: dt.datetime | None = None) -> dict:
    """One fictional applicant's answers (values as a Forms export holds them)."""
    base = base or dt.datetime(2025, 3, 1, 9, 0)
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    started = base + dt.timedelta(minutes=7 * i)
    district = DISTRICTS[i % len(DISTRICTS)]
    return {
        "ID": i + 1,
        "Start time": started,
        "Completion time": started + dt.timedelta(minutes=12),
        "Email": "anonymous",
        "Name": "anonymous",
        "What is your full name?": f"{first} {last}",
        "Email address": f"applicant{i}@example.org",
        "Phone number": phone_for(i),
        "Date of birth": dt.date(1930, 1, 1) + dt.timedelta(days=i % 29999),
        "What is your postcode?": f"{district} {1 + i % 9}AB",
        "Work postcode": "" if i % 3 else f"LE1 {1 + i % 9}ZZ",
        "How did you hear about us?": HOW_HEARD[i % len(HOW_HEARD)],
        "Which of these best describes you?": BASIS[i % len(BASIS)],
        "Which types of crime have you experienced?": ";".join(r.sample(AREAS, 1 + i % 3)),
        "Why do you want to join the group?": STATEMENT,
        "When are you available?": "Weekday evenings",
        "Would you prefer an interview or a video?": "Interview" if i % 4 else "Video submission",
        "Is it safe to phone you?": "Yes" if i % 2 else "No",
        "Which age group are you in?": AGE[i % len(AGE)],
        "What is your sex?": SEX[i % len(SEX)],
        "What is your ethnic group?": ETHNIC[i % len(ETHNIC)],
        "Do you consider yourself to be disabled?": YESNO[i % len(YESNO)],
        "What is your religion?": RELIGION[i % len(RELIGION)],
    }


def forms_rows(n: int, *, seed: int = 1, start: int = 0) -> list[dict]:
    r = random.Random(seed)
    return [applicant(i, r) for i in range(start, start + n)]


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence], *, sheet: str = "Form1",
               date1904: bool = False, title_rows: Sequence[Sequence] = (), write_only: bool = False,
               extra_sheets: Sequence[tuple[str, list[list], str]] = (), number_formats: dict | None = None) -> Path:
    """A workbook with optional rows above the header and extra (maybe hidden) sheets."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook(write_only=write_only)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.create_sheet(sheet) if write_only else wb.active
    if not write_only:
        ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    if number_formats and not write_only:
        for col, fmt in number_formats.items():
            for cell in ws[col]:
                cell.number_format = fmt
    for name, data, state in extra_sheets:
        extra = wb.create_sheet(name)
        for row in data:
            extra.append(row)
        if not write_only:
            extra.sheet_state = state
    wb.save(path)
    return path


def forms_xlsx(path: Path, n: int, *, seed: int = 1, order: Sequence[str] | None = None, start: int = 0,
               write_only: bool = False, **kwargs) -> Path:
    headers = list(order or (FORMS_META + QUESTIONS))
    data = [[a[h] for h in headers] for a in forms_rows(n, seed=seed, start=start)]
    return write_xlsx(path, headers, data, write_only=write_only, **kwargs)


def google_rows(n: int, *, seed: int = 2) -> tuple[list[str], list[list]]:
    headers = ["Timestamp", "Email Address"] + [q for q in QUESTIONS if q != "Email address"]
    rows = []
    for a in forms_rows(n, seed=seed):
        row = [a["Completion time"].strftime("%d/%m/%Y %H:%M:%S"), a["Email address"]]
        row += [_text(a[q]) for q in QUESTIONS if q != "Email address"]
        rows.append(row)
    return headers, rows


def _text(v) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else str(v)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence], *, encoding: str = "utf-8",
              delimiter: str = ",", bom: bool = False, sep_line: bool = False) -> Path:
    buf = io.StringIO(newline="")
    if sep_line:
        buf.write(f"sep={delimiter}\r\n")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(headers)
    for row in rows:
        w.writerow([_text(v) for v in row])
    text = buf.getvalue()
    if encoding in ("utf-16", "utf-16-le"):
        data = (b"\xff\xfe" if bom or encoding == "utf-16" else b"") + text.encode("utf-16-le")
    elif encoding == "utf-16-be":
        data = (b"\xfe\xff" if bom else b"") + text.encode("utf-16-be")
    else:
        data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    path.write_bytes(data)
    return path


# -- hostile and broken files ---------------------------------------------------------------------
def _minimal_xlsx_parts(sheet_xml: bytes, workbook_xml: bytes | None = None) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": workbook_xml or (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def zip_bomb_xlsx(path: Path, megabytes: int = 300) -> Path:
    """A workbook whose sheet inflates to hundreds of MB of nothing (ratio about 1000:1)."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>')
    tail = b"</sheetData></worksheet>"
    parts = _minimal_xlsx_parts(b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(tail)
    return path


def lying_zip_xlsx(path: Path) -> Path:
    """A zip whose directory says the sheet is small when it inflates to 50 MB."""
    big = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b"<sheetData>" + b" " * (50 << 20) + b"</sheetData></worksheet>")
    _zip(path, _minimal_xlsx_parts(big))
    data = bytearray(path.read_bytes())
    # Rewrite the declared uncompressed size of the sheet, in the local header and the central directory.
    name = b"xl/worksheets/sheet1.xml"
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            if sig == b"PK\x03\x04":
                nlen = struct.unpack_from("<H", data, pos + 26)[0]
                if bytes(data[pos + 30:pos + 30 + nlen]) == name:
                    struct.pack_into("<I", data, pos + 22, 1000)
            else:
                nlen = struct.unpack_from("<H", data, pos + 28)[0]
                if bytes(data[pos + 46:pos + 46 + nlen]) == name:
                    struct.pack_into("<I", data, pos + 24, 1000)
            pos += 4
    path.write_bytes(bytes(data))
    return path


def billion_laughs_xlsx(path: Path, where: str = "sheet") -> Path:
    """The classic XML entity bomb, in the sheet or in workbook.xml."""
    dtd = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10))
           + b"]>")
    sheet = dtd + (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                   b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    plain_sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                   b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>'
                   b"</sheetData></worksheet>")
    if where == "sheet":
        return _zip(path, _minimal_xlsx_parts(sheet))
    workbook = dtd + (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                      b'<sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    return _zip(path, _minimal_xlsx_parts(plain_sheet, workbook))


def many_entries_xlsx(path: Path, entries: int = 6000) -> Path:
    parts = _minimal_xlsx_parts(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                                b'spreadsheetml/2006/main"><sheetData/></worksheet>')
    for i in range(entries):
        parts[f"xl/media/pad{i}.xml"] = b"<x/>"
    return _zip(path, parts)


def _cfb(stream_names: Sequence[str]) -> bytes:
    """A small but well-formed OLE2 compound file holding empty streams with these names."""
    sector = 512
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)  # no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)  # the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<I", fat, 0, 0xFFFFFFFD)  # sector 0: FAT
    struct.pack_into("<I", fat, 4, 0xFFFFFFFE)  # sector 1: directory, end of chain
    directory = bytearray(sector)

    def entry(i: int, name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> None:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        off = 128 * i
        directory[off:off + len(raw)] = raw
        struct.pack_into("<HBB", directory, off + 0x40, len(raw), kind, 1)
        struct.pack_into("<III", directory, off + 0x44, 0xFFFFFFFF, right, child)
        struct.pack_into("<I", directory, off + 0x74, 0xFFFFFFFE)

    names = list(stream_names)[:3]
    entry(0, "Root Entry", 5, child=1 if names else 0xFFFFFFFF)
    for j, name in enumerate(names, start=1):
        entry(j, name, 2, right=j + 1 if j < len(names) else 0xFFFFFFFF)
    return bytes(header) + bytes(fat) + bytes(directory)


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: a CFB with EncryptionInfo/EncryptedPackage."""
    path.write_bytes(_cfb(["EncryptionInfo", "EncryptedPackage"]))
    return path


def old_xls(path: Path) -> Path:
    path.write_bytes(_cfb(["Workbook"]))
    return path


def truncated_xlsx(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


# -- a fast writer shaped like Excel's own output (shared strings, a <dimension>, date styles) ---------
def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def write_excel_like(path: Path, headers: Sequence[str], rows, *, sheet: str = "Form1") -> Path:
    """Stream a workbook as Excel writes one: shared strings, a <dimension>, dates as styled serials.

    ``rows`` may be a generator; memory stays small however many rows there are.
    """
    import os
    import tempfile

    epoch = dt.datetime(1899, 12, 30)
    strings: dict[str, int] = {}

    def sst(text: str) -> int:
        i = strings.get(text)
        if i is None:
            i = strings[text] = len(strings)
        return i

    fd, tmp_name = tempfile.mkstemp(suffix=".xml")
    os.close(fd)
    n_rows = 0
    width = len(headers)
    with open(tmp_name, "w", encoding="utf-8") as body:
        def emit(r_i: int, row) -> None:
            cells = []
            for c_i, v in enumerate(row):
                ref = f"{_col(c_i)}{r_i}"
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    cells.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
                elif isinstance(v, dt.datetime):
                    serial = (v - epoch).total_seconds() / 86400
                    cells.append(f'<c r="{ref}" s="2"><v>{serial:.10f}</v></c>')
                elif isinstance(v, dt.date):
                    serial = (dt.datetime.combine(v, dt.time()) - epoch).days
                    cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
                elif isinstance(v, int | float):
                    cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s"><v>{sst(str(v))}</v></c>')
            body.write(f'<row r="{r_i}">{"".join(cells)}</row>')

        emit(1, headers)
        for n_rows, row in enumerate(rows, start=1):
            emit(n_rows + 1, row)
    last = f"{_col(width - 1)}{n_rows + 1}"
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} {rel_ns}>'
            f'<workbookPr/><sheets><sheet name="{_esc(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {ns}>'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm:ss"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '</styleSheet>'),
    }
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for name, text in parts.items():
                zf.writestr(name, text)
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {ns} '
                         f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
                for text in strings:
                    fh.write(f'<si><t xml:space="preserve">{_esc(text)}</t></si>'.encode())
                fh.write(b"</sst>")
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns} {rel_ns}>'
                         f'<dimension ref="A1:{last}"/><sheetData>'.encode())
                with open(tmp_name, "rb") as src:
                    while chunk := src.read(1 << 20):
                        fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    finally:
        os.unlink(tmp_name)
    return path


def forms_excel_like(path: Path, n: int, *, seed: int = 1, start: int = 0) -> Path:
    """A Microsoft Forms export of ``n`` responses, as Excel writes it (fast, for big files)."""
    headers = FORMS_META + QUESTIONS
    r = random.Random(seed)
    rows = ([a[h] for h in headers] for a in (applicant(i, r) for i in range(start, start + n)))
    return write_excel_like(path, headers, rows)


# -- what other producers write, byte for byte (LibreOffice is not available in CI) ------------------
# Features seen in a corpus of real files (LibreOffice 7.4 xlsx/ods/xls/csv, openpyxl, hand-made parts
# shaped like Numbers, Google Sheets, the OpenXML SDK and Strict OOXML), written here by hand.
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
# Cell styles: 0 General, 1 dd/mm/yyyy (custom 164), 2 m/d/yy h:mm (built-in 22).
DATE_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><numFmts count="1">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><fonts count="1"><font/></fonts>'
    '<fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/>'
    '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
    '<xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>')


def cell_ref(row: int, col: int) -> str:
    return f"{_col(col)}{row}"


def sheet_xml(rows, *, prefix: str = "", ns: str = MAIN_NS, dimension: str | None = None,
              merges: Sequence[str] = (), tail: str = "") -> str:
    """A worksheet. ``rows``: [(row number, [(column index, cell)])]; a cell is text (an inline
    string), a number, or (attributes, inner XML or None) written as it is."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}worksheet {xmlns} xmlns:r="{REL_NS}">']
    if dimension:
        out.append(f'<{p}dimension ref="{dimension}"/>')
    out.append(f"<{p}sheetData>")
    for r, cells in rows:
        out.append(f'<{p}row r="{r}">')
        for c, cell in cells:
            ref = cell_ref(r, c)
            if isinstance(cell, tuple):
                attrs, inner = cell
                out.append(f'<{p}c r="{ref}" {attrs}/>' if inner is None else f'<{p}c r="{ref}" {attrs}>{inner}</{p}c>')
            elif isinstance(cell, str):
                out.append(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{_esc(cell)}</{p}t></{p}is></{p}c>')
            else:
                out.append(f'<{p}c r="{ref}"><{p}v>{cell}</{p}v></{p}c>')
        out.append(f"</{p}row>")
    out.append(f"</{p}sheetData>")
    if merges:
        out.append(f'<{p}mergeCells count="{len(merges)}">' + "".join(f'<{p}mergeCell ref="{m}"/>' for m in merges)
                   + f"</{p}mergeCells>")
    out.append(f"{tail}</{p}worksheet>")
    return "".join(out)


def write_parts(path: Path, sheets: Sequence[tuple[str, str | bytes]], *, shared: str | None = None,
                styles: str | None = DATE_STYLES, date1904: bool = False, strict: bool = False,
                prefix: str = "", states: dict[str, str] | None = None, absolute_targets: bool = False) -> Path:
    """An .xlsx from hand-written parts: no sharedStrings part unless ``shared`` is given (Numbers and
    Google Sheets write inline strings), a namespace prefix on workbook.xml (the OpenXML SDK writes
    x:workbook), Strict OOXML namespaces, absolute relationship targets."""
    main = STRICT_MAIN_NS if strict else MAIN_NS
    rel = STRICT_REL_NS if strict else REL_NS
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{main}"' if prefix else f'xmlns="{main}"'
    states = states or {}
    rels = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL_NS}">']
    types = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
             'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>']
    parts: dict[str, str | bytes] = {}
    entries = []
    for i, (name, xml) in enumerate(sheets, start=1):
        target = f"/xl/worksheets/sheet{i}.xml" if absolute_targets else f"worksheets/sheet{i}.xml"
        rels.append(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="{target}"/>')
        state = f' state="{states[name]}"' if name in states else ""
        entries.append(f'<{p}sheet name="{_esc(name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = shared
    if styles is not None:
        rels.append(f'<Relationship Id="rIdT" Type="{rel}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = styles.replace(MAIN_NS, main)
    rels.append("</Relationships>")
    types.append("</Types>")
    pr = f'<{p}workbookPr date1904="1"/>' if date1904 else f"<{p}workbookPr/>"
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}workbook {xmlns} '
                                f'xmlns:r="{rel}">{pr}<{p}sheets>{"".join(entries)}</{p}sheets></{p}workbook>')
    parts["xl/_rels/workbook.xml.rels"] = "".join(rels)
    ordered = {"[Content_Types].xml": "".join(types),
               "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                               f'xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                               'Target="xl/workbook.xml"/></Relationships>'), **parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in ordered.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


# The same three applicants in every producer's shape: text, a phone stored as a number (its 0 lost),
# dates as styled serials and as text in either order, non-ASCII and right-to-left names.
PRODUCER_HEADERS = ["Name", "Email", "Phone", "Date of birth", "Postcode", "Date received"]


def producer_rows(prefix: str = "") -> list:
    dated = ('s="1"', "<v>31092</v>")  # 14/02/1985 with the dd/mm/yyyy style
    return [(1, list(enumerate(PRODUCER_HEADERS))),
            (2, list(enumerate(["Zoë Inline", "zoe.i@example.org", "07700 900601", dated, "LE1 6ZZ",
                                ('s="2"', "<v>45750.5</v>")]))),  # 03/04/2025 12:00
            (3, list(enumerate(["Siobhán Inline", "sio.i@example.org", ("", "<v>7700900602</v>"), "23/07/1990",
                                "LE2 3AB", "2025-04-03 10:20"]))),
            (4, list(enumerate(["مريم أحمد", "maryam.i@example.org", "+44 7700 900603", ('s="1"', "<v>31817</v>"),
                                "LE15 6AB", ('s="2"', "<v>45751</v>")])))]


def producer_xlsx(path: Path, *, prefix: str = "", strict: bool = False, **kwargs) -> Path:
    main = STRICT_MAIN_NS if strict else MAIN_NS
    return write_parts(path, [("Sheet 1 - Table 1", sheet_xml(producer_rows(), prefix=prefix, ns=main))],
                       prefix=prefix, strict=strict, **kwargs)


def far_value_xlsx(path: Path, where: tuple[int, int] = (1048576, 16383), *, styled_only: bool = False) -> Path:
    """The three applicants and one more value typed far away (by default in XFD1048576, the last cell of a
    sheet): python-calamine would build a grid reaching it (half a terabyte)."""
    rows = producer_rows()
    cell = ('s="1"', None) if styled_only else "stray"
    rows.append((where[0], [(where[1], cell)]))
    return write_parts(path, [("Sheet1", sheet_xml(rows))])


def formatted_to_the_end_xlsx(path: Path) -> Path:
    """Formatting applied down to row 1,048,576: an empty <row> for every row of the sheet, and a
    <dimension> that says so."""
    base = sheet_xml(producer_rows(), dimension="A1:F1048576")
    tail = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(5, 1048577))
    return write_parts(path, [("Sheet1", base.replace("</sheetData>", tail + "</sheetData>"))])


# -- OpenDocument (.ods), as LibreOffice writes it ----------------------------------------------------
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')


@dataclass(frozen=True)
class OdsMerged:
    """A cell merged over ``down`` rows and ``across`` columns, as LibreOffice writes it (the cells it
    covers are written as ``OdsCovered()``)."""
    value: object
    down: int = 1
    across: int = 1


class OdsCovered:
    """A cell hidden under a merged one."""


def ods_cell(value) -> str:
    if isinstance(value, OdsCovered):
        return "<table:covered-table-cell/>"
    if isinstance(value, OdsMerged):
        spans = (f' table:number-rows-spanned="{value.down}" table:number-columns-spanned="{value.across}"')
        return ods_cell(value.value).replace("<table:table-cell", "<table:table-cell" + spans, 1)
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}" '
                f'calcext:value-type="boolean"><text:p>{str(value).upper()}</text:p></table:table-cell>')
    if isinstance(value, dt.datetime):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value:%Y-%m-%dT%H:%M:%S}">'
                f"<text:p>{value:%d/%m/%Y %H:%M}</text:p></table:table-cell>")
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value:%Y-%m-%d}">'
                f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}" calcext:value-type="float">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{_esc(str(value))}'
            "</text:p></table:table-cell>")


def write_ods(path: Path, tables: Sequence[tuple[str, Sequence[Sequence], bool]], *, raw_rows: str = "",
              mimetype: str = "application/vnd.oasis.opendocument.spreadsheet", encrypted: bool = False) -> Path:
    """An .ods: ``tables`` are (name, rows, hidden). Each table ends as LibreOffice's do, with the rest of
    the sheet as repeated empty rows and columns; ``raw_rows`` is appended to the last table as it is."""
    body = []
    for i, (name, rows, hidden) in enumerate(tables):
        style = ' table:style-name="taHidden"' if hidden else ' table:style-name="ta1"'
        body.append(f'<table:table table:name="{_esc(name)}"{style}>'
                    '<table:table-column table:number-columns-repeated="16384"/>')
        for row in rows:
            body.append("<table:table-row>" + "".join(ods_cell(v) for v in row)
                        + '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>')
        if i == len(tables) - 1:
            body.append(raw_rows)
        body.append('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                    'table:number-columns-repeated="16384"/></table:table-row></table:table>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.3">'
               '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
               '<style:table-properties table:display="true"/></style:style><style:style style:name="taHidden" '
               'style:family="table"><style:table-properties table:display="false"/></style:style>'
               "</office:automatic-styles><office:body><office:spreadsheet>" + "".join(body)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                f'manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml">'
                + ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
                   if encrypted else "") + "</manifest:file-entry></manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as ODF requires
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


# -- Excel 97-2003 (.xls): BIFF8 records in an OLE2 compound file -----------------------------------
def _biff(rtype: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(payload)) + payload


def biff8_workbook(sheets: Sequence[tuple[str, Sequence[Sequence], bool, Sequence[tuple[int, int, int, int]]]],
                   *, date1904: bool = False) -> bytes:
    """The 'Workbook' stream: ``sheets`` are (name, rows, hidden, merged (first row, last row, first col,
    last col), 0-based). Text goes to the shared string table; dates are numbers with a date format."""
    strings: dict[str, int] = {}
    bodies = []
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    for name, rows, hidden, merges in sheets:
        cells = []
        width = max((len(r) for r in rows), default=0)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    cells.append(_biff(0x0205, struct.pack("<HHHBB", r, c, 0, int(v), 0)))
                elif isinstance(v, dt.date):
                    moment = v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
                    serial = (moment - epoch).total_seconds() / 86400
                    cells.append(_biff(0x0203, struct.pack("<HHHd", r, c, 1, serial)))
                elif isinstance(v, int | float):
                    cells.append(_biff(0x0203, struct.pack("<HHHd", r, c, 0, float(v))))
                else:
                    index = strings.setdefault(str(v), len(strings))
                    cells.append(_biff(0x00FD, struct.pack("<HHHI", r, c, 0, index)))
        body = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        body += _biff(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + b"".join(cells)
        if merges:
            body += _biff(0x00E5, struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges))
        bodies.append((name, hidden, body + _biff(0x000A)))

    def xf(fmt: int) -> bytes:
        return _biff(0x00E0, struct.pack("<HHHBBBBIIH", 0, fmt, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))

    head = (_biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
            + _biff(0x0042, struct.pack("<H", 1200)) + _biff(0x0022, struct.pack("<H", int(date1904))) + xf(0) + xf(14))
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)

    def globals_with(offsets: list[int]) -> bytes:
        g = head
        for (name, hidden, _b), off in zip(bodies, offsets, strict=True):
            g += _biff(0x0085, struct.pack("<IBB", off, int(hidden), 0) + struct.pack("<BB", len(name), 1)
                       + name.encode("utf-16-le"))
        return g + _biff(0x00FC, sst) + _biff(0x000A)

    size = len(globals_with([0] * len(bodies)))
    offsets = []
    for _n, _h, b in bodies:
        offsets.append(size)
        size += len(b)
    return globals_with(offsets) + b"".join(b for _n, _h, b in bodies)


def cfb_file(stream_name: str, data: bytes) -> bytes:
    """An OLE2 compound file (version 3) holding one stream of at least 4,096 bytes (so no mini stream)."""
    sector = 512
    data = data + b"\x00" * ((-len(data) % sector) if len(data) >= 4096 else 4096 - len(data))
    n = len(data) // sector
    if n + 2 > 128:
        raise ValueError("stream too big for one FAT sector")
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # FAT sectors, directory start, transaction, cutoff
    struct.pack_into("<IIII", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)  # no mini FAT, no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)
    for k in range(n):
        struct.pack_into("<I", fat, 4 * (2 + k), 3 + k if k < n - 1 else 0xFFFFFFFE)
    directory = bytearray(sector)
    for i, (name, kind, start, size, child) in enumerate(
            [("Root Entry", 5, 0xFFFFFFFE, 0, 1), (stream_name, 2, 2, len(data), 0xFFFFFFFF)]):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        off = 128 * i
        directory[off:off + len(raw)] = raw
        struct.pack_into("<HBB", directory, off + 0x40, len(raw), kind, 1)
        struct.pack_into("<III", directory, off + 0x44, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<IQ", directory, off + 0x74, start, size)
    return bytes(header) + bytes(fat) + bytes(directory) + data


def write_xls(path: Path, sheets, *, date1904: bool = False) -> Path:
    path.write_bytes(cfb_file("Workbook", biff8_workbook(sheets, date1904=date1904)))
    return path
