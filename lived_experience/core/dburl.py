"""Choosing the database: --database, $LIVED_EXPERIENCE_DATABASE_URL, or the default file."""

from __future__ import annotations

import os
from pathlib import Path

from lived_experience.core.context import AppPaths

ENV_URL = "LIVED_EXPERIENCE_DATABASE_URL"


def resolve_url(given: str | None, paths: AppPaths) -> str:
    """A URL, or a plain file path taken as SQLite."""
    raw = (given or os.environ.get(ENV_URL) or "").strip()
    if not raw:
        return f"sqlite:///{paths.default_database}"
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"
