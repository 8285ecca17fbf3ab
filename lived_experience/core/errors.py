"""Errors a user can act on, as opposed to bugs.

A ``UserError`` carries one plain-English sentence that is safe to show as it
is (CLI: stderr and exit 2; window: a message box). Anything else escaping a
service is a bug: logged with its traceback, shown as a crash report.
"""

from __future__ import annotations

import datetime as dt


class UserError(Exception):
    """Something the user can put right. ``str(exc)`` is the message to show."""

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Input that breaks a rule. ``field_errors`` maps a field to its message."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        super().__init__(message, details=list((field_errors or {}).values()))
        self.field_errors = field_errors or {}


class NotFound(UserError):
    pass


class PermissionDenied(UserError):
    pass


class ConflictError(UserError):
    """Someone else saved the same record since this form loaded it."""

    def __init__(self, message: str, *, changed_by: str | None = None,
                 changed_at: dt.datetime | None = None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class FileRefused(UserError):
    """A file was refused as a whole (unreadable, hostile, wrong kind)."""
