"""Where the data, logs and backups live (platformdirs), overridable for tests.

``LIVED_EXPERIENCE_HOME`` puts everything under one folder: tests, a portable
install, or a second office database on the same PC.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from lived_experience.core.context import AppPaths

APP_DIR_NAME = "LivedExperience"
APP_AUTHOR = "OPCC-LLR"


def resolve_paths(home: str | os.PathLike | None = None) -> AppPaths:
    home = home or os.environ.get("LIVED_EXPERIENCE_HOME")
    if home:
        root = Path(home).expanduser()
        paths = AppPaths(root / "data", root / "logs", root / "backups", root / "reports")
    else:
        import platformdirs

        data = Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR, roaming=False))
        logs = Path(platformdirs.user_log_dir(APP_DIR_NAME, APP_AUTHOR))
        docs = Path(platformdirs.user_documents_dir()) / "Lived Experience"
        paths = AppPaths(data, logs, data / "backups", docs)
    return paths


def ensure_dirs(paths: AppPaths) -> None:
    for p in (paths.data_dir, paths.log_dir, paths.backup_dir):
        p.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            # Special category data: only the signed-in Windows/Linux user may read it.
            with contextlib.suppress(OSError):
                os.chmod(p, 0o700)
