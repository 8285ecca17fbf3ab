"""The common shape of every PDF the app writes.

- Fonts shipped in ``resources/fonts`` are embedded (DejaVu Sans, with Droid Sans
  Fallback for characters DejaVu lacks, e.g. Chinese), so names print correctly.
- Every page carries the protective marking with a one-line handling
  instruction in the header, and "Page X of Y" with the marking in the footer.
- Title, author, subject and keywords are set in the PDF's properties.
- All user text goes through :func:`text` / :func:`para`, which escape it:
  ``<b>Smith & Jones</b>`` prints literally; data can never inject markup.
- A large-print variant sets body text at 16 pt.
- The file is written beside the target and renamed into place when complete.
- Headings made with :func:`heading` go into a table of contents (:func:`contents`,
  built with ``multi_pass=True``) and the PDF's bookmarks.
- ``extra_templates`` adds page templates of other sizes (for example pages that
  will carry an appended paper) and ``postprocess`` works on the finished file
  before it is renamed into place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

import resources
from lived_experience.core import clock
from lived_experience.core.formatting import uk_datetime

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_FALLBACK = "DroidSansFallback"

HANDLING = {
    "OFFICIAL-SENSITIVE": "Personal data about victims of crime: share only with the intended recipients, "
                          "keep securely, destroy when no longer needed.",
    "OFFICIAL": "Do not publish without the OPCC's agreement.",
}


@functools.cache
def register_fonts() -> None:
    fonts = resources.path("fonts")
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(fonts / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-BoldOblique", str(fonts / "DejaVuSans-BoldOblique.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_FALLBACK, str(fonts / "DroidSansFallbackFull.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic="DejaVuSans-BoldOblique")


@functools.cache
def _covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT).face.charWidths.keys())


@functools.cache
def _fallback_covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT_FALLBACK).face.charWidths.keys())


def text(value) -> str:
    """User text made safe for a Paragraph: escaped, line breaks kept, and runs of
    characters DejaVu lacks switched to the fallback font."""
    if value is None:
        return ""
    s = str(value)
    if s.isascii() and s.isprintable():
        # The common case: printable ASCII, all in DejaVu; only escaping to do.
        return escape(s)
    covered = _covered()
    out: list[str] = []
    run: list[str] = []

    def flush_run():
        if run:
            out.append(f'<font name="{FONT_FALLBACK}">{escape("".join(run))}</font>')
            run.clear()

    for ch in s:
        cp = ord(ch)
        if ch == "\n":
            flush_run()
            out.append("<br/>")
        elif cp < 32 or 0xD800 <= cp <= 0xDFFF:
            continue  # control characters and lone surrogates cannot print
        elif cp in covered or cp == 32:
            flush_run()
            out.append(escape(ch))
        elif cp in _fallback_covered():
            run.append(ch)
        else:
            flush_run()
            out.append("?")
    flush_run()
    return "".join(out)


LARGE_PRINT_SIZE = 16.0  # the large-print edition: no text smaller than this


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    note: ParagraphStyle
    marking: ParagraphStyle
    size: float


def styles(large_print: bool = False) -> Styles:
    register_fonts()
    size = LARGE_PRINT_SIZE if large_print else 10.5
    lead = size * 1.35

    def st(name, **kw):
        base = dict(fontName=FONT, fontSize=size, leading=lead, spaceAfter=size * 0.45)
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        body=st("body"),
        # Large print has no smaller text: "small" lines are as big as the body.
        small=st("small", fontSize=size if large_print else size * 0.85,
                 leading=(size if large_print else size * 0.85) * 1.3),
        h1=st("h1", fontName=FONT_BOLD, fontSize=size * 1.7, leading=size * 2.1, spaceBefore=size * 0.6,
              spaceAfter=size * 0.6, textColor=colors.HexColor("#1F3864"), keepWithNext=1),
        h2=st("h2", fontName=FONT_BOLD, fontSize=size * 1.3, leading=size * 1.7, spaceBefore=size * 0.9,
              spaceAfter=size * 0.4, textColor=colors.HexColor("#1F3864"), keepWithNext=1),
        h3=st("h3", fontName=FONT_BOLD, fontSize=size * 1.1, leading=size * 1.45, spaceBefore=size * 0.6,
              keepWithNext=1),
        title=st("title", fontName=FONT_BOLD, fontSize=size * 2.2, leading=size * 2.7, alignment=TA_CENTER,
                 spaceAfter=size, textColor=colors.HexColor("#1F3864")),
        cell=st("cell", spaceAfter=0),
        cell_bold=st("cell_bold", fontName=FONT_BOLD, spaceAfter=0),
        note=st("note", fontName=FONT_ITALIC, textColor=colors.HexColor("#5A2D00")),
        marking=st("marking", fontName=FONT_BOLD, textColor=colors.HexColor("#8B0000"), alignment=TA_CENTER),
        size=size,
    )


def para(value, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text: always escaped."""
    return Paragraph(text(value), style)


def heading(value, style: ParagraphStyle, *, level: int = 0, markup: str | None = None) -> Paragraph:
    """A heading of user text (escaped) that goes into the contents and the PDF's bookmarks.
    ``markup`` (the app's own) replaces the escaped text on the page; the contents use the text."""
    p = Paragraph(markup if markup is not None else text(value), style)
    p._toc_level = level  # noqa: SLF001 - read by MarkedDoc.afterFlowable
    p._toc_text = "" if value is None else str(value)
    return p


def contents(st: Styles) -> TableOfContents:
    """A table of contents filled from :func:`heading` paragraphs (build with ``multi_pass=True``)."""
    toc = TableOfContents()
    toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    toc.dotsMinLevel = 0
    toc.levelStyles = [
        ParagraphStyle("toc0", parent=st.body, fontName=FONT_BOLD, leftIndent=st.size, firstLineIndent=-st.size,
                       spaceBefore=st.size * 0.3),
        ParagraphStyle("toc1", parent=st.body, leftIndent=st.size * 2.5, firstLineIndent=-st.size,
                       spaceBefore=0),
    ]
    return toc


def rich(markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of the app's own markup. Put user values in with :func:`text`."""
    return Paragraph(markup, style)


def table(rows: Sequence[Sequence], st: Styles, *, widths: Sequence[float] | None = None,
          header: bool = True, zebra: bool = True) -> Table:
    """A table of user values (escaped), header row repeated on every page. A cell may
    also be a flowable, or a list of flowables stacked in the cell."""
    data = []
    for r, row in enumerate(rows):
        style = st.cell_bold if header and r == 0 else st.cell
        data.append([c if hasattr(c, "wrap") or (isinstance(c, list) and all(hasattr(x, "wrap") for x in c))
                     else para(c, style) for c in row])
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # else reportlab refers to (unembedded) Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA5B1")),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE3ED")))
    if zebra:
        for r in range(1 if header else 0, len(data)):
            if r % 2 == 0:
                cmds.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F4F6FA")))
    t.setStyle(TableStyle(cmds))
    return t


# The marking, handling line and footer are the same on every page: measured once per document,
# not once per page (it was a sixth of a typical pack's time).
@functools.lru_cache(maxsize=256)
def _fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` cut (with an ellipsis) to fit ``width`` points."""
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    # The longest prefix that fits with its ellipsis (widths only grow as characters are added).
    lo, hi = 0, len(value) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(value[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return value[:lo].rstrip() + "…"


@functools.lru_cache(maxsize=64)
def _footer(text: str, font: str, size: float, room: float) -> str:
    """The footer cut to ``room`` points: a long title is shortened, never the date the document was produced."""
    title, sep, produced = text.rpartition(" - produced ")
    if sep and pdfmetrics.stringWidth(text, font, size) > room:
        tail = sep + produced
        room_for_title = room - pdfmetrics.stringWidth(tail, font, size)
        if room_for_title > 20 * mm:
            return _fit(title, font, size, room_for_title) + tail
    return _fit(text, font, size, room)


@functools.lru_cache(maxsize=64)
def _lines(value: str, font: str, size: float, width: float, most: int) -> tuple[str, ...]:
    """``value`` wrapped on spaces into at most ``most`` lines of ``width`` points (the last cut to fit)."""
    lines: list[str] = []
    current = ""
    for word in value.split():
        trial = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(trial, font, size) > width and len(lines) < most - 1:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(_fit(current, font, size, width))
    return tuple(lines)


# -- pages of other PDFs, drawn inside this one ---------------------------------------------------
def imported_page_size(page) -> tuple[float, float]:
    """The upright size (points) of a pypdf page: its crop box, turned by its /Rotate."""
    box = page.cropbox
    w, h = float(box.width), float(box.height)
    if int(page.get("/Rotate") or 0) % 180 == 90:
        w, h = h, w
    return w, h


def _to_reportlab(obj, doc, memo: dict):
    """A pypdf object as reportlab PDF objects (streams stay as they were encoded)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFObjectReference, PDFStream

    if isinstance(obj, IndirectObject):
        key = (id(obj.pdf), obj.idnum, obj.generation)
        if key not in memo:
            name = f"LEImported{len(memo) + 1}"
            memo[key] = PDFObjectReference(name)
            doc.Reference(_to_reportlab(obj.get_object(), doc, memo), name)
        return memo[key]
    if isinstance(obj, StreamObject):
        d = PDFDictionary({str(k)[1:]: _to_reportlab(v, doc, memo) for k, v in obj.items() if k != "/Length"})
        return PDFStream(d, content=obj._data, filters=[] if "/Filter" in obj else None)
    if isinstance(obj, DictionaryObject):
        return PDFDictionary({str(k)[1:]: _to_reportlab(v, doc, memo) for k, v in obj.items()})
    if isinstance(obj, ArrayObject):
        return PDFArray([_to_reportlab(v, doc, memo) for v in obj])
    return _raw(obj)  # numbers, names, strings, booleans, null: written as pypdf writes them


def _raw(obj) -> bytes:
    import io

    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def _matrix(a: tuple, b: tuple) -> tuple:
    """PDF matrices (a b c d e f) composed: ``a`` applied first, then ``b``."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5)


def draw_imported_page(canv, page, key: str, *, box: tuple[float, float, float, float]) -> None:
    """Draw a page of another PDF (a pypdf page) on ``canv``, upright and scaled to fit
    ``box`` (x, y, width, height in page coordinates), centred.

    The page becomes a Form XObject of this document: its content and resources
    only, so links, form fields and scripts in the other file are not carried over.
    """
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream

    doc = canv._doc
    memo = doc.__dict__.setdefault("_le_imported", {})
    name = f"LEPage{key}"
    if not doc.hasForm(name):
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        crop = page.cropbox
        form = PDFDictionary({"Type": PDFName("XObject"), "Subtype": PDFName("Form"),
                              "BBox": PDFArray([float(crop.left), float(crop.bottom), float(crop.right),
                                                float(crop.top)])})
        resources = page.get("/Resources")
        if resources is not None:
            form["Resources"] = _to_reportlab(resources, doc, memo)
        doc.addForm(name, PDFStream(form, content=data))
    crop = page.cropbox
    left, bottom, w, h = float(crop.left), float(crop.bottom), float(crop.width), float(crop.height)
    m = (1.0, 0.0, 0.0, 1.0, -left, -bottom)
    rotate = int(page.get("/Rotate") or 0) % 360
    if rotate == 90:
        m, (w, h) = _matrix(m, (0, -1, 1, 0, 0, w)), (h, w)
    elif rotate == 180:
        m = _matrix(m, (-1, 0, 0, -1, w, h))
    elif rotate == 270:
        m, (w, h) = _matrix(m, (0, 1, -1, 0, h, 0)), (h, w)
    x, y, bw, bh = box
    scale = min(1.0, bw / w, bh / h)
    m = _matrix(m, (scale, 0, 0, scale, x + (bw - w * scale) / 2, y + (bh - h * scale) / 2))
    canv.saveState()
    canv.transform(*m)
    canv.doForm(name)
    canv.restoreState()


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers each page until the end, so every footer can say "Page X of Y"."""

    marking = "OFFICIAL-SENSITIVE"
    footer_text = ""
    font_size = 8.0
    large_print = False  # every line at 16 pt: the footer's title gets a line of its own

    def __init__(self, *args, **kwargs):
        # Start in the embedded font, so no page refers to an unembedded Helvetica.
        if not kwargs.get("initialFontName"):
            kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab API
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._draw_furniture(total)
            super().showPage()
        super().save()

    def _draw_furniture(self, total: int) -> None:
        w, h = self._pagesize
        size = self.font_size
        self.saveState()
        self.setFillColor(colors.HexColor("#8B0000"))
        self.setFont(FONT_BOLD, size + 1)
        self.drawCentredString(w / 2, h - 10 * mm, self.marking)
        self.setFont(FONT, size)
        self.setFillColor(colors.black)
        most = 3 if self.large_print else 2
        for n, line in enumerate(_lines(HANDLING.get(self.marking, ""), FONT, size, w - 30 * mm, most)):
            self.drawCentredString(w / 2, h - 10 * mm - size * (1.25 if self.large_print else 1.4) * (n + 1), line)
        self.setFont(FONT, size)
        if self.large_print:
            self.drawString(15 * mm, 10 * mm + size * 1.3, _footer(self.footer_text, FONT, size, w - 30 * mm))
        else:
            room = w / 2 - 15 * mm - 4 * mm - pdfmetrics.stringWidth(self.marking, FONT_BOLD, size) / 2
            self.drawString(15 * mm, 10 * mm, _footer(self.footer_text, FONT, size, room))
        self.drawRightString(w - 15 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
        self.setFont(FONT_BOLD, size)
        self.setFillColor(colors.HexColor("#8B0000"))
        self.drawCentredString(w / 2, 10 * mm, self.marking)
        self.restoreState()


def page_bands(large_print: bool = False) -> tuple[float, float]:
    """The space (points) the marking, handling line and footer take at the top and foot of a page."""
    return (40 * mm, 28 * mm) if large_print else (20 * mm, 18 * mm)


@dataclass
class DocInfo:
    title: str
    subject: str
    author: str
    marking: str
    large_print: bool = False


def _canvasmaker(info: DocInfo):
    footer = f"{info.title} - produced {uk_datetime(clock.now())}"

    class C(_NumberedCanvas):
        marking = info.marking
        footer_text = footer
        font_size = LARGE_PRINT_SIZE if info.large_print else 8.0
        large_print = info.large_print

    return C


class MarkedDoc(BaseDocTemplate):
    def __init__(self, filename, info: DocInfo, *, extra_templates: Sequence[tuple[str, tuple[float, float]]] = (),
                 **kw):
        margin_top, margin_bottom = page_bands(info.large_print)
        super().__init__(filename, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                         topMargin=margin_top, bottomMargin=margin_bottom, title=info.title, author=info.author,
                         subject=f"{info.marking}: {info.subject}", keywords=[info.marking, "Lived Experience"],
                         creator="Lived Experience", **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        templates = [PageTemplate(id="page", frames=[frame], pagesize=A4)]
        for template_id, (w, h) in extra_templates:
            templates.append(PageTemplate(id=template_id, pagesize=(w, h),
                                          frames=[Frame(0, 0, w, h, id=f"{template_id}-frame")]))
        self.addPageTemplates(templates)
        self.progress_hook: Callable[[], None] | None = None
        self._toc_seq = 0

    def beforeDocument(self):  # noqa: N802 - reportlab API
        self._toc_seq = 0

    def afterFlowable(self, flowable):  # noqa: N802 - reportlab API
        level = getattr(flowable, "_toc_level", None)
        if level is not None:
            self._toc_seq += 1
            key = f"toc-{self._toc_seq}"
            title = getattr(flowable, "_toc_text", "") or ""
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title[:120], key, level=level, closed=False)
            self.notify("TOCEntry", (level, text(title), self.page, key))
        if self.progress_hook is not None:
            self.progress_hook()


def build(path: Path, story: list, info: DocInfo, *, progress: Callable[[int, int], None] | None = None,
          multi_pass: bool = False, extra_templates: Sequence[tuple[str, tuple[float, float]]] = (),
          postprocess: Callable[[Path], None] | None = None) -> Path:
    """Write the PDF atomically. ``multi_pass`` for documents with a table of contents.

    ``extra_templates`` are (id, (width, height)) page templates a story can switch to
    with ``NextPageTemplate``; ``postprocess(partial_path)`` may rewrite the finished
    file before it replaces ``path``.
    """
    register_fonts()
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    doc = MarkedDoc(str(tmp), info, extra_templates=extra_templates)
    if progress:
        # A table of contents takes (at least) two passes over the story.
        total = max(1, len(story) * (2 if multi_pass else 1))
        count = [0]

        def hook():
            count[0] += 1
            if count[0] % 20 == 0:
                progress(min(count[0], total - 1), total)

        doc.progress_hook = hook
    try:
        if multi_pass:
            doc.multiBuild(story, canvasmaker=_canvasmaker(info))
        else:
            doc.build(story, canvasmaker=_canvasmaker(info))
        if postprocess is not None:
            postprocess(tmp)
        tmp.replace(path)
        if progress:
            progress(1, 1)
    finally:
        tmp.unlink(missing_ok=True)
    return path
