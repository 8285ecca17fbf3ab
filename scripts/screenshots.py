"""Open each section of the app on demo data and save a PNG of the window.

    xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb python scripts/screenshots.py docs/screenshots

Uses a throw-away database (demo data, no accounts) so no real records are shown.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out_dir: str = "docs/screenshots", sections: list[str] | None = None) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="le-shots-")
    os.environ["LIVED_EXPERIENCE_HOME"] = tmp
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)

    from lived_experience.core.context import AppContext
    from lived_experience.core.paths import ensure_dirs, resolve_paths
    from lived_experience.core.startup import open_context
    from lived_experience.demo.generator import generate
    from ui.app import make_application
    from ui.interaction import Interaction
    from ui.shell.main_window import MainWindow
    from ui.shell.sections import SECTIONS
    from ui.state import AppState

    class Args:
        database = None

    paths = resolve_paths()
    ensure_dirs(paths)
    app = make_application()
    ctx: AppContext = open_context(Args, paths)
    generate(ctx, seed=1)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    state = AppState(ctx, Interaction(window))
    window.attach(state)
    for section in SECTIONS:
        if sections and section.key not in sections:
            continue
        page = window.show_section(section.key)
        lst = getattr(page, "list", None)
        if lst is not None and lst.model.rowCount():
            lst.table.selectRow(0)
        for _ in range(20):
            app.processEvents()
        path = out / f"{section.key}.png"
        window.grab().save(str(path))
        print(path)
    window.close()


if __name__ == "__main__":
    main(*(sys.argv[1:2] or []), sections=sys.argv[2:] or None)
