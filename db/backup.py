"""SQLite online backups: a consistent copy while the app keeps running."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """Return SQLite's list of problems with the file; empty means healthy."""
    uri = f"file:{path}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10)
    except sqlite3.Error as exc:
        return [f"cannot open: {exc}"]
    try:
        pragma = "quick_check" if quick else "integrity_check"
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _plain_connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    return sqlite3.connect(path)


def online_backup(source: Path, destination: Path, progress=None, *, connect=None, check=None) -> Path:
    """Copy ``source`` to ``destination`` with the online backup API, then check the copy.

    The copy is written beside the destination and renamed into place only once
    it passes ``integrity_check``, so a half-written backup never looks complete.
    ``progress(done_pages, total_pages)`` is called as pages are copied.
    ``connect(path, read_only=...)`` and ``check(path)`` default to plain SQLite;
    the encrypted database passes its own (same passphrase on both sides).
    """
    connect = connect or _plain_connect
    check = check or integrity_problems
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    src = connect(source, read_only=True)
    try:
        dst = connect(partial)
        try:
            def _progress(_status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            src.backup(dst, pages=256, progress=_progress)
            # A backup is a single file: leave it in rollback-journal mode.
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()
    problems = check(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError("the backup copy failed its integrity check: " + "; ".join(problems[:3]))
    os.replace(partial, destination)
    return destination
