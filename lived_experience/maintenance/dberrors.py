"""Database failures a person can do something about, in plain English.

The command line (exit 2) and the window (a message instead of a crash report) both
use this, so a full disk, a busy or read-only file or an unreachable server reads the
same everywhere, and never as a traceback.
"""

from __future__ import annotations


def plain_message(exc: BaseException) -> str | None:
    """One plain line for a known database or file-system failure; None for anything else (a bug)."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError | OSError):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    if "file is not a database" in text or "database disk image is malformed" in text:
        return "This file is not a Lived Experience database, or it is damaged."
    if "unable to open database file" in text:
        return "The database file cannot be opened: check the path and that you may write to its folder."
    if "database is locked" in text:
        return "The database is busy (another program holds it locked). Try again in a moment."
    if "readonly database" in text or "read-only" in text:
        return "The database is read-only: check the file's permissions."
    if "disk is full" in text or "database or disk is full" in text or "no space left on device" in text:
        return "The disk is full: nothing was saved. Free some space and try again."
    if "connection refused" in text or "could not connect" in text or "connection failed" in text \
            or "name or service not known" in text or "password authentication failed" in text:
        return "Cannot connect to the PostgreSQL database: " + str(getattr(exc, "orig", exc)).splitlines()[0]
    if 'database "' in text and "does not exist" in text:
        return "That PostgreSQL database does not exist: ask your administrator to create it."
    return None
