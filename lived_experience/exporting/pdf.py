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
    size = 16.0 if large_print else 10.5
    lead = size * 1.35

    def st(name, **kw):
        base = dict(fontName=FONT, fontSize=size, leading=lead, spaceAfter=size * 0.45)
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        body=st("body"),
        small=st("small", fontSize=size * 0.85, leading=size * 0.85 * 1.3),
        h1=st("h1", fontName=FONT_BOLD, fontSize=size * 1.7, leading=size * 2.1, spaceBefore=size * 0.6,
              spaceAfter=size * 0.6, textColor=colors.HexColor("#1F3864")),
        h2=st("h2", fontName=FONT_BOLD, fontSize=size * 1.3, leading=size * 1.7, spaceBefore=size * 0.9,
              spaceAfter=size * 0.4, textColor=colors.HexColor("#1F3864")),
        h3=st("h3", fontName=FONT_BOLD, fontSize=size * 1.1, leading=size * 1.45, spaceBefore=size * 0.6),
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


def rich(markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of the app's own markup. Put user values in with :func:`text`."""
    return Paragraph(markup, style)


def table(rows: Sequence[Sequence], st: Styles, *, widths: Sequence[float] | None = None,
          header: bool = True, zebra: bool = True) -> Table:
    """A table of user values (escaped), header row repeated on every page."""
    data = []
    for r, row in enumerate(rows):
        style = st.cell_bold if header and r == 0 else st.cell
        data.append([c if hasattr(c, "wrap") else para(c, style) for c in row])
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    cmds = [
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


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers each page until the end, so every footer can say "Page X of Y"."""

    marking = "OFFICIAL-SENSITIVE"
    footer_text = ""
    font_size = 8.0

    def __init__(self, *args, **kwargs):
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
        self.drawCentredString(w / 2, h - 10 * mm - size * 1.4, HANDLING.get(self.marking, "")[:140])
        self.setFont(FONT, size)
        self.drawString(15 * mm, 10 * mm, self.footer_text[:90])
        self.drawRightString(w - 15 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
        self.setFont(FONT_BOLD, size)
        self.setFillColor(colors.HexColor("#8B0000"))
        self.drawCentredString(w / 2, 10 * mm, self.marking)
        self.restoreState()


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
        font_size = 10.0 if info.large_print else 8.0

    return C


class MarkedDoc(BaseDocTemplate):
    def __init__(self, filename, info: DocInfo, **kw):
        margin_top = 24 * mm if info.large_print else 20 * mm
        super().__init__(filename, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                         topMargin=margin_top, bottomMargin=18 * mm, title=info.title, author=info.author,
                         subject=f"{info.marking}: {info.subject}", keywords=[info.marking, "Lived Experience"],
                         creator="Lived Experience", **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])


def build(path: Path, story: list, info: DocInfo, *, progress: Callable[[int, int], None] | None = None,
          multi_pass: bool = False) -> Path:
    """Write the PDF atomically. ``multi_pass`` for documents with a table of contents."""
    register_fonts()
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    doc = MarkedDoc(str(tmp), info)
    if progress:
        total = max(1, len(story))

        def after_flowable(_f, _count=[0]):  # noqa: B006 - a counter shared by this build
            _count[0] += 1
            if _count[0] % 20 == 0:
                progress(min(_count[0], total), total)

        doc.afterFlowable = after_flowable
    try:
        if multi_pass:
            doc.multiBuild(story, canvasmaker=_canvasmaker(info))
        else:
            doc.build(story, canvasmaker=_canvasmaker(info))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
