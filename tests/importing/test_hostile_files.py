"""Hostile and broken files are refused before they can hurt, with one plain-English message."""

from __future__ import annotations

import resource
import sys
import time

import pytest

from lived_experience.importing import safety
from lived_experience.importing.readers import open_source
from lived_experience.importing.safety import SpreadsheetRefused
from tests.importing import files as F


def _refusal(path) -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as info:
        open_source(path)
    exc = info.value
    assert exc.message and "\n" not in exc.message and "Traceback" not in exc.message
    return exc


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_zip_bomb_is_refused_from_its_directory_quickly_and_without_inflating(tmp_path):
    path = F.zip_bomb_xlsx(tmp_path / "bomb.xlsx", megabytes=1200)
    assert path.stat().st_size < 5 * 1024 * 1024
    before = _rss_mb()
    started = time.perf_counter()
    exc = _refusal(path)
    assert exc.code == "zip_bomb"
    assert "not safe to open" in exc.message
    assert time.perf_counter() - started < 2.0
    assert _rss_mb() - before < 100


def test_high_compression_ratio_alone_is_refused(tmp_path):
    path = F.zip_bomb_xlsx(tmp_path / "ratio.xlsx", megabytes=20)  # small in total, but about 1000:1
    assert _refusal(path).code == "zip_bomb"


def test_a_zip_whose_directory_lies_about_sizes_is_caught_while_inflating(tmp_path):
    path = F.lying_zip_xlsx(tmp_path / "liar.xlsx")
    assert _refusal(path).code in ("zip_bomb", "not_a_spreadsheet")


def test_too_many_entries(tmp_path):
    assert _refusal(F.many_entries_xlsx(tmp_path / "many.xlsx")).code == "zip_bomb"


@pytest.mark.parametrize("where", ["sheet", "workbook"])
def test_billion_laughs_is_refused_without_expanding(tmp_path, where):
    path = F.billion_laughs_xlsx(tmp_path / "lol.xlsx", where=where)
    started = time.perf_counter()
    exc = _refusal(path)
    assert exc.code == "xml_attack"
    assert "entity" in exc.message
    assert time.perf_counter() - started < 2.0


def test_defusedxml_refuses_entities_in_small_parts():
    with pytest.raises(SpreadsheetRefused) as info:
        safety.parse_xml(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    assert info.value.code == "xml_attack"


def test_password_protected_workbook(tmp_path):
    exc = _refusal(F.encrypted_xlsx(tmp_path / "secret.xlsx"))
    assert exc.code == "password_protected"
    assert exc.message == ("This file is password-protected: open it in Excel and save a copy without a "
                           "password.")


def test_an_xls_with_no_workbook_in_it_is_refused_with_advice(tmp_path):
    exc = _refusal(F.old_xls(tmp_path / "old.xls"))
    assert exc.code == "old_xls" and ".xlsx" in exc.message


def test_truncated_workbook(tmp_path):
    good = F.forms_xlsx(tmp_path / "good.xlsx", 50)
    exc = _refusal(F.truncated_xlsx(tmp_path / "cut.xlsx", good))
    assert exc.code == "not_a_spreadsheet"
    assert exc.message.startswith("This is not a spreadsheet that can be read")


def test_text_file_renamed_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("Dear team,\nPlease find the applicants attached.\n", encoding="utf-8")
    assert _refusal(path).message.startswith("This is not a spreadsheet that can be read")


@pytest.mark.parametrize("name,data", [
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
    ("report.csv", b"%PDF-1.7\n" + bytes(range(256)) * 40),
    ("document.xlsx", None),  # a Word document: a zip without a workbook
    ("random.bin", bytes(range(256)) * 10),
])
def test_other_files_are_not_spreadsheets(tmp_path, name, data):
    path = tmp_path / name
    if data is None:
        import zipfile

        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("word/document.xml", "<w:document/>")
            zf.writestr("[Content_Types].xml", "<Types/>")
    else:
        path.write_bytes(data)
    assert _refusal(path).code == "not_a_spreadsheet"


def test_missing_file_and_folder(tmp_path):
    assert _refusal(tmp_path / "nope.xlsx").code == "not_found"
    assert _refusal(tmp_path).code == "not_a_file"


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    path = F.forms_xlsx(tmp_path / "big.xlsx", 20)
    exc = _refusal(path)
    assert exc.code == "too_big" and "MB" in exc.message


@pytest.mark.parametrize("streaming", [False, True])
def test_a_workbook_with_damaged_sheet_xml(tmp_path, monkeypatch, streaming):
    from lived_experience.importing import xlsx_stream

    if streaming:
        monkeypatch.setattr(xlsx_stream, "STREAM_ABOVE_BYTES", 0)
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr">'
             b'<is><t>Email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Zo')
    path = F._zip(tmp_path / "damaged.xlsx", F._minimal_xlsx_parts(sheet))
    with pytest.raises(SpreadsheetRefused) as info:
        src = open_source(path)
        list(src.rows())
    assert info.value.code == "not_a_spreadsheet"


def test_binary_rubbish_with_a_csv_name(tmp_path):
    path = tmp_path / "rubbish.csv"
    path.write_bytes(b"Name,Email\r\n" + b"\x00\x01\x02\x03" * 500)
    assert _refusal(path).code == "not_a_spreadsheet"


# -- found with a corpus of real and broken files --------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="devices and named pipes are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_a_device_is_refused_at_once(tmp_path, kind):
    """Reading a named pipe waits for ever; reading /dev/zero fills the memory."""
    import os

    path = tmp_path / "applicants.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    started = time.perf_counter()
    exc = _refusal(path)
    assert exc.code == "not_a_file" and "not a file that can be imported" in exc.message
    assert time.perf_counter() - started < 2.0


def test_a_file_growing_past_the_limit_while_it_is_read_is_refused(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "growing.csv"
    path.write_text("Name,Email\n" + "Owen Walsh,owen@example.org\n" * 100, encoding="utf-8")
    real_stat = type(path).stat

    def stat_before_it_grew(self, *args, **kwargs):
        st = real_stat(self, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(type(path), "stat", stat_before_it_grew)
    assert _refusal(path).code == "too_big"


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = F.forms_xlsx(tmp_path / "locked.xlsx", 2)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", denied)
    exc = _refusal(path)
    assert exc.code == "no_permission" and "permission" in exc.message


def test_a_damaged_entry_is_caught_by_its_checksum(tmp_path):
    """Bytes changed inside the zip (a bad download, a failing USB stick): the sizes still add up."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "stored.xlsx", "w", zipfile.ZIP_STORED) as out, \
            zipfile.ZipFile(F.producer_xlsx(tmp_path / "good.xlsx")) as src:
        for name in src.namelist():
            out.writestr(name, src.read(name))
    data = bytearray((tmp_path / "stored.xlsx").read_bytes())
    at = data.find(b"zoe.i@example.org")
    data[at:at + 3] = b"ZOE"
    (tmp_path / "damaged.xlsx").write_bytes(bytes(data))
    exc = _refusal(tmp_path / "damaged.xlsx")
    assert exc.code == "damaged" and "damaged" in exc.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_entity_declaration_after_a_long_comment_is_still_found(tmp_path, encoding):
    late = (f'<?xml version="1.0" encoding="{encoding.upper()}"?><!--{"x" * 20000}--><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><worksheet xmlns="'
            f'{F.MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>'
            "</worksheet>")
    data = late.encode(encoding)
    path = F.write_parts(tmp_path / "late.xlsx", [("Sheet1", data)])
    assert _refusal(path).code == "xml_attack"


def test_billion_laughs_in_shared_strings(tmp_path):
    dtd = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)) + "]>")
    sst = f'<?xml version="1.0"?>{dtd}<sst xmlns="{F.MAIN_NS}"><si><t>&lol9;</t></si><si><t>Email</t></si></sst>'
    sheet = F.sheet_xml([(1, [(0, ('t="s"', "<v>0</v>")), (1, ('t="s"', "<v>1</v>"))])])
    started = time.perf_counter()
    assert _refusal(F.write_parts(tmp_path / "sst.xlsx", [("Sheet1", sheet)], shared=sst)).code == "xml_attack"
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("name,data,words", [
    ("report.csv", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "a PDF document"),
    ("scan.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "a picture"),
    ("export.xls", b'<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><table><tr><td>Name</td></tr>'
                   b"</table></body></html>", "web page"),
    ("applicants.xml", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:'
                       b'schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"/></Workbook>',
     "Excel 2003 XML spreadsheet"),
    ("Applicants.gsheet", b'{"doc_id": "1AbC", "url": "https://docs.google.com/spreadsheets/d/1AbC"}',
     "shortcut to a Google Sheets spreadsheet"),
    # LibreOffice's "Flat XML ODF Spreadsheet": the mimetype comes after the namespaces.
    ("applicants.fods", b'<?xml version="1.0" encoding="UTF-8"?>\n\n<office:document xmlns:office="urn:oasis:'
                        b'names:tc:opendocument:xmlns:office:1.0" office:version="1.3" office:mimetype="application/'
                        b'vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet/></office:body>'
                        b"</office:document>", "flat XML spreadsheet (.fods)"),
    ("applicants.csv", b'\xef\xbb\xbf<?xml version="1.0"?><applicants><applicant><name>Zo\xc3\xab</name>'
                       b"</applicant></applicants>", "an XML file, not a spreadsheet"),
    ("export.txt", b'<records xmlns="urn:example:crm"><record name="x"/></records>', "an XML file"),
])
def test_files_that_announce_another_format_are_named(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    exc = _refusal(path)
    assert words in exc.message


def test_a_csv_whose_first_heading_is_in_angle_brackets_is_still_read(tmp_path):
    path = tmp_path / "typed.csv"
    path.write_text("<Name>,Email,Postcode\nZoë Smith,zoe@example.org,LE1 6ZZ\n", encoding="utf-8")
    source = open_source(path)
    assert source.headers[:2] == ["<Name>", "Email"]
    assert [cells[1] for _n, cells in source.rows()] == ["zoe@example.org"]


def test_a_word_document_renamed_xls(tmp_path):
    path = tmp_path / "letter.xls"
    path.write_bytes(F.cfb_file("WordDocument", b"\x00" * 4096))
    assert "Word document" in _refusal(path).message


@pytest.mark.parametrize("ref", ["B3ineStr", "XFE1", "AAAA1"])
def test_a_cell_reference_that_is_no_cell_is_refused_not_a_memory_error(tmp_path, monkeypatch, ref):
    """Found by fuzzing: 'B3ineStr' was read as a column some billions to the right."""
    from lived_experience.importing import xlsx_stream

    monkeypatch.setattr(xlsx_stream, "STREAM_ABOVE_BYTES", 0)
    rows = [(1, [(0, "Name"), (1, "Email")]), (2, [(0, "Zoë Smith"), (1, "zoe@example.org")])]
    sheet = F.sheet_xml(rows).replace('r="B2"', f'r="{ref}"')
    with pytest.raises(SpreadsheetRefused) as info:
        list(open_source(F.write_parts(tmp_path / "bad-ref.xlsx", [("Sheet1", sheet)])).rows())
    assert info.value.code == "not_a_spreadsheet"


def test_an_apple_numbers_file(tmp_path):
    import zipfile

    path = tmp_path / "Applicants.numbers"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Index/Document.iwa", b"\x00" * 64)
        zf.writestr("Metadata/Properties.plist", b"<plist/>")
    exc = _refusal(path)
    assert exc.code == "numbers" and "File > Export To > Excel" in exc.message
