"""Open each section of the app on demo data and save a PNG of the window.

    xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb python scripts/screenshots.py docs/screenshots
    ... scripts/screenshots.py /tmp/shots dashboard search representativeness --high-contrast

Besides the section keys (dashboard, recruitment, ...) it knows four extra shots:
``search`` (the search box with results), ``meeting`` (one meeting's agenda), ``representativeness`` and ``panel-report``
(the Reports tabs). ``--high-contrast`` takes them in the high-contrast theme
(file names end in ``-high-contrast``).

Uses a throw-away database (demo data, no accounts) so no real records are shown.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXTRA = ("search", "meeting", "representativeness", "panel-report", "import")


def main(out_dir: str = "docs/screenshots", sections: list[str] | None = None, *,
         high_contrast: bool = False) -> None:
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
    from ui.theme import set_high_contrast

    set_high_contrast(high_contrast)  # the View menu's choice, in this run's throw-away settings
    ctx: AppContext = open_context(Args, paths)
    generate(ctx, seed=1)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    state = AppState(ctx, Interaction(window))
    window.attach(state)
    suffix = "-high-contrast" if high_contrast else ""

    def settle():
        for _ in range(20):
            app.processEvents()

    def save(name: str) -> None:
        settle()
        path = out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(path)

    for section in SECTIONS:
        if sections and section.key not in sections:
            continue
        page = window.show_section(section.key)
        lst = getattr(page, "list", None)
        if lst is not None and lst.model.rowCount():
            lst.table.selectRow(0)
        save(section.key)
    wanted = [s for s in (sections or EXTRA) if s in EXTRA]
    for extra in wanted:
        if extra == "search":
            window.show_section("dashboard")
            window.search.focus_search()
            window.search.setText("zo")
            window.search.run_search()
            window.search.show_results()
            window.search._move(+1)
            save("search")
            window.search.clear()
        elif extra == "meeting":
            page = window.show_section("meetings")
            page.list.table.selectRow(0)
            page.open_selected()
            view = page.meeting_view
            view.tabs.setCurrentIndex(min(2, view.tabs.count() - 1))
            save("meeting")
            view.closed.emit()
        elif extra == "representativeness":
            page = window.show_section("reports")
            page.tabs.setCurrentWidget(page.representativeness)
            page.representativeness.refresh()
            save("representativeness")
        elif extra == "panel-report":
            page = window.show_section("reports")
            page.tabs.setCurrentWidget(page.panel)
            page.panel.preview()
            save("panel-report")
        elif extra == "import":
            _import_shots(app, state, out, suffix, settle)
    window.close()


def _import_shots(app, state, out: Path, suffix: str, settle) -> None:
    """The import wizard on a workbook LibreOffice wrote (tests/importing/real): mapping, then preview."""
    import time

    from ui.importing.wizard import ImportWizard

    wizard = ImportWizard(state, None)
    wizard.resize(1100, 720)
    wizard.show()
    wizard.path_edit.setText(str(ROOT / "tests/importing/real/libreoffice-tricky.xlsx"))
    for step, name in ((1, "import-mapping"), (2, "import-preview")):
        wizard.go_next()
        deadline = time.monotonic() + 30
        while wizard.step != step and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        if step == 2 and wizard.preview_model.rowCount():
            wizard.preview_table.selectRow(min(2, wizard.preview_model.rowCount() - 1))
        settle()
        path = out / f"{name}{suffix}.png"
        wizard.grab().save(str(path))
        print(path)
    wizard.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*(args[:1] or []), sections=args[1:] or None, high_contrast="--high-contrast" in sys.argv)
