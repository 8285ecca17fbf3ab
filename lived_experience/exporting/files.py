"""Where an export may be written: checked before any work is done, so a bad
name or a locked file costs the user nothing. No openpyxl or reportlab here:
the PDF and calendar exports check their files too."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lived_experience.core.errors import UserError


def check_output(path: Path, suffix: str, example: str) -> Path:
    """Refuse, before any work is done and in plain words, a file that cannot be
    written: the wrong kind of name, a folder that does not exist or is read-only,
    or a file that is read-only or open in another program (Excel locks the
    workbooks it has open). Returns the path."""
    path = Path(path)
    what = "workbook" if suffix == ".xlsx" else "file"
    if path.is_dir():
        raise UserError(f"{path} is a folder: give the file a name, for example {path / example}.")
    if path.suffix.lower() != suffix:
        raise UserError(f"The {what} must be a {suffix} file (for example {example}).")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"The folder {folder} does not exist: create it first, or choose another folder.")
    if not _writable(folder):
        raise UserError(f"The folder {folder} is read-only: choose a folder you can save files in.")
    if path.exists():
        if not path.is_file() or not _writable(path):
            raise UserError(f"{path} is read-only or open in another program: close it (in Excel, for "
                            "example) or choose another name, and try again.")
        try:
            with open(path, "r+b"):
                pass
        except OSError:
            raise UserError(f"{path} is open in another program or cannot be replaced: close it (in Excel, "
                            "for example) or choose another name, and try again.") from None
    return path


def _writable(path: Path) -> bool:
    """Whether the file or folder may be written. Read-only marks are honoured even
    for an administrator account, which the operating system would let through."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    return os.access(path, os.W_OK)
