"""Checking a file offered as a meeting paper: it must be a real, readable PDF.

A paper is stored in the database (every PC sees it) and appended to the pack,
so anything that is not a PDF pypdf can read page by page is refused with one
plain sentence, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from lived_experience.core.errors import FileRefused

log = logging.getLogger(__name__)

MAX_PAPER_BYTES = 20 * 1024 * 1024  # 20 MB: a long report with images fits; a video does not
MAX_PAPER_PAGES = 300


@dataclass(frozen=True)
class CheckedPaper:
    file_name: str
    content: bytes
    sha256: str
    size_bytes: int
    page_count: int
    title: str | None  # the PDF's own title, if it has one


def read_paper_file(path: str | Path) -> tuple[str, bytes]:
    p = Path(path)
    if p.is_dir():
        raise FileRefused(f"{p} is a folder, not a PDF file.")
    try:
        size = p.stat().st_size
    except OSError:
        raise FileRefused(f"{p.name} cannot be found or opened.") from None
    if size > MAX_PAPER_BYTES:
        raise FileRefused(f"{p.name} is {size / 1024 / 1024:.1f} MB: papers can be at most "
                          f"{MAX_PAPER_BYTES // 1024 // 1024} MB. Make a smaller PDF (for example with smaller images).")
    try:
        return p.name, p.read_bytes()
    except OSError:
        raise FileRefused(f"{p.name} cannot be read: check it is not open in another program.") from None


def _useful_title(value: str) -> str | None:
    """A PDF's own title, unless it is a program's placeholder ("untitled", "Microsoft Word - x.docx")."""
    v = value.strip()
    for prefix in ("Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - "):
        if v.startswith(prefix):
            v = v[len(prefix):].rsplit(".", 1)[0].strip()
    if v.casefold() in ("", "untitled", "(anonymous)", "anonymous", "none", "title", "document"):
        return None
    return v[:200]


def check_pdf(file_name: str, content: bytes) -> CheckedPaper:
    """Refuse anything that is not a PDF pypdf can read fully."""
    name = Path(file_name or "paper.pdf").name[:260] or "paper.pdf"
    size = len(content)
    if size == 0:
        raise FileRefused(f"{name} is empty.")
    if size > MAX_PAPER_BYTES:
        raise FileRefused(f"{name} is {size / 1024 / 1024:.1f} MB: papers can be at most "
                          f"{MAX_PAPER_BYTES // 1024 // 1024} MB.")
    if not content[:1024].lstrip().startswith(b"%PDF-"):
        raise FileRefused(f"{name} is not a PDF file. Save or print the paper as a PDF, then attach that.")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            # An empty owner password (print restrictions only) is readable; anything else is not.
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - any failure means we cannot read it
                ok = 0
            if not ok:
                raise FileRefused(f"{name} is protected by a password: attach a copy without one.")
        pages = len(reader.pages)
        if pages == 0:
            raise FileRefused(f"{name} has no pages.")
        if pages > MAX_PAPER_PAGES:
            raise FileRefused(f"{name} has {pages} pages: papers can have at most {MAX_PAPER_PAGES}.")
        for page in reader.pages:
            _ = page.mediabox.width, page.mediabox.height
            page.get_contents()
        title = None
        try:
            meta = reader.metadata
            title = _useful_title(str(meta.title)) if meta and meta.title else None
        except Exception:  # noqa: BLE001 - a broken info dictionary does not matter
            title = None
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        log.info("paper refused: %s", type(exc).__name__)
        raise FileRefused(f"{name} looks like a PDF but is damaged and cannot be read. "
                          "Save it again as a PDF and attach the new copy.") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many things on hostile files
        log.info("paper refused: %s", type(exc).__name__)
        raise FileRefused(f"{name} cannot be read as a PDF.") from None
    return CheckedPaper(name, content, hashlib.sha256(content).hexdigest(), size, pages, title)
