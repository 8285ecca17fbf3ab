"""Makes libreoffice-tricky.{xlsx,xls,ods} with LibreOffice Calc itself, through UNO.

    PYTHONPATH=/usr/lib/libreoffice/program /usr/bin/python3 tests/importing/real/make_tricky.py OUTDIR

(The system Python that LibreOffice's ``uno`` module belongs to; not run by the tests.)
A first sheet of notes, the responses on the second sheet under a title (headings in row 3), a
hidden third sheet, the 1904 date system, dates made by formulas, phone numbers typed as numbers,
a "How did you hear" cell merged over two rows, a name that is formula text, and a formula column.
"""

import contextlib
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import Locale
from com.sun.star.util import Date as UnoDate


def pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(outdir: str) -> None:
    office = subprocess.Popen(["soffice", "--headless", "--norestore",
                               "--accept=socket,host=localhost,port=2002;urp;"])
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(60):
        try:
            ctx = resolver.resolve("uno:socket,host=localhost,port=2002;urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (pv("Hidden", True),))
    null = UnoDate()
    null.Day, null.Month, null.Year = 1, 1, 1904
    doc.NullDate = null
    sheets = doc.Sheets
    sheets.getByIndex(0).Name = "Read me"
    sheets.getByIndex(0).getCellByPosition(0, 0).String = "Applications exported from the form on 02/12/2026."
    sheets.insertNewByName("Responses", 1)
    sheets.insertNewByName("Old", 2)
    old = sheets.getByName("Old")
    for c, text in enumerate(["Name", "Email"]):
        old.getCellByPosition(c, 0).String = text
    old.getCellByPosition(0, 1).String = "Old Person"
    old.getCellByPosition(1, 1).String = "old@example.org"
    old.IsVisible = False
    sh = sheets.getByName("Responses")
    sh.getCellByPosition(0, 0).String = "Victims and Lived Experience Group: applications"
    heads = ["First name", "Last name", "Email", "Phone", "Postcode", "Date of birth",
             "How did you hear about us?", "Full name (check)"]
    for c, h in enumerate(heads):
        sh.getCellByPosition(c, 2).String = h
    rows = [("Zoë", "Smith", "zoe@example.org", 7700900123, "LE1 6ZZ", (1985, 4, 3), "Facebook"),
            ("Declan", "Murphy", "declan@example.org", 7700900124, "LE11 3TU", (1979, 12, 25), None),
            ("Priya", "Shah", "priya@example.org", "0116 496 0123", "LE15 6RB", (2001, 2, 28), "Neighbourhood Link"),
            ("Sam", '=HYPERLINK("http://x")', "sam@example.org", None, "LE2 3AB", (1990, 7, 1), "OPCC website")]
    for r, row in enumerate(rows, start=3):
        for c, v in enumerate(row):
            cell = sh.getCellByPosition(c, r)
            if v is None:
                continue
            if c == 5:
                cell.Formula = f"=DATE({v[0]};{v[1]};{v[2]})"
            elif isinstance(v, int):
                cell.Value = float(v)
            else:
                cell.String = v  # text, even when it looks like a formula
        sh.getCellByPosition(7, r).Formula = f'=A{r + 1}&" "&B{r + 1}'
    sh.getCellRangeByName("G4:G5").merge(True)
    uk = Locale()
    uk.Language, uk.Country = "en", "GB"
    formats = doc.NumberFormats
    key = formats.queryKey("DD/MM/YYYY", uk, False)
    sh.getCellRangeByName("F4:F7").NumberFormat = key if key != -1 else formats.addNew("DD/MM/YYYY", uk)
    for name, filt in [("xlsx", "Calc MS Excel 2007 XML"), ("xls", "MS Excel 97"), ("ods", "calc8")]:
        doc.storeToURL(uno.systemPathToFileUrl(f"{outdir}/libreoffice-tricky.{name}"), (pv("FilterName", filt),))
    doc.close(True)
    with contextlib.suppress(Exception):  # the office may have gone already
        desktop.terminate()
    office.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1])
