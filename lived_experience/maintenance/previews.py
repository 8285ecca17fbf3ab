"""Copies opened for a viewer: a meeting pack's preview, an attached paper.

They hold special category data, so they are not left in the system's temporary
folder (shared, kept until the PC is cleaned): each goes into a private folder
of its own under the data folder, and the folders are removed when the user
signs out and, for anything a crash left behind, at the next start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from lived_experience.core.context import AppPaths

FOLDER = "previews"


def _root(paths: AppPaths) -> Path:
    return paths.data_dir / FOLDER


def new_folder(paths: AppPaths | None) -> Path:
    """A fresh folder (readable by this user only) for one opened copy."""
    if paths is None:  # a context without an app folder (a script): the system's, still private
        return Path(tempfile.mkdtemp(prefix="lived-experience-"))
    root = _root(paths)
    root.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(root, 0o700)
    return Path(tempfile.mkdtemp(dir=root))


def sweep(paths: AppPaths | None, *, older_than_seconds: float = 0.0) -> int:
    """Remove the opened copies older than ``older_than_seconds``; returns how many folders went.

    A copy still open in a viewer that locks its files (Windows) stays until the next sweep."""
    if paths is None:
        return 0
    root = _root(paths)
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime > cutoff:
                continue
        except OSError:
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                folder.unlink()
        removed += not folder.exists()
    return removed
