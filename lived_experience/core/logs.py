"""Logging to a rotating file in the log folder. Never personal data.

Code logs ids and counts, never names or contact details; SQL parameters are
hidden by the engine (``hide_parameters``); and the formatter masks anything
that looks like an email address, a phone number or a postcode, and the values
PostgreSQL quotes in its error messages ("Key (name)=(...)", "Failing row
contains (...)"), in case a message slips through. Tracebacks are formatted
by the same formatter, so they are masked too.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_FILE = "lived-experience.log"

_PATTERNS = [
    # PostgreSQL puts the offending values in its error text: "Key (name)=(Ada Smith) already exists",
    # "Failing row contains (12, Ada, ...)". Keep the column names, drop the values.
    (re.compile(r"Key \(([^)]*)\)=\(.*?\)( already exists| is not present| conflicts)", re.S),
     r"Key (\1)=([value])\2"),
    (re.compile(r"Failing row contains \(.*?\)\.?$", re.M), "Failing row contains ([values])."),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)(\+44\s?|0)\d[\d\s]{8,12}\d(?!\d)"), "[phone]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I), "[postcode]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.handlers.RotatingFileHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    # SQL statements can carry values: keep SQLAlchemy's own logging quiet.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return path
