"""Disk full, simulated with SQLite's max_page_count: an import that runs out of room fails
with one plain message and leaves the database exactly as it was."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from lived_experience.core import clock
from tests.cli.helpers import ROOT
from tests.importing import files

ROWS = 400
HEADROOM_PAGES = 8  # room for a few small writes, far too little for 400 applicants


def _window(ctx) -> int:
    from lived_experience.recruitment.windows import WindowForm, create_window

    today = clock.today()
    return create_window(ctx, WindowForm(name="Disk full window", opens_on=today - dt.timedelta(days=5),
                                         closes_on=today + dt.timedelta(days=30),
                                         term_starts_on=today + dt.timedelta(days=90))).id


def _content(path: Path) -> list[str]:
    """Everything the database holds, as SQL (schema and rows), after folding in the WAL."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(con.iterdump())
    finally:
        con.close()


def _limit_pages(engine) -> None:
    @event.listens_for(engine, "connect")
    def _full(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + HEADROOM_PAGES}")


def test_an_import_onto_a_full_disk_changes_nothing(sqlite_ctx, tmp_path):
    from lived_experience.importing import service
    from lived_experience.importing.headers import auto_map
    from lived_experience.importing.readers import open_source

    ctx = sqlite_ctx
    window = _window(ctx)
    sheet = files.forms_xlsx(tmp_path / "applicants.xlsx", ROWS)
    ctx.db.dispose()
    before = _content(ctx.db.sqlite_path)
    with open_source(sheet) as source:
        mapping = auto_map(source.headers, [cells for _n, cells in source.sample()])
        preview = service.analyse(ctx, source, mapping, window)
    assert preview.counts().imported == ROWS  # it would import every row, given room
    ctx.db.dispose()
    _limit_pages(ctx.db.engine)
    with pytest.raises(OperationalError) as info:
        service.commit(ctx, preview)
    assert "database or disk is full" in str(info.value)
    ctx.db.dispose()
    assert _content(ctx.db.sqlite_path) == before


def test_the_command_line_says_the_disk_is_full_and_saves_nothing(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    window = _window(ctx)
    db_path = ctx.db.sqlite_path
    ctx.db.dispose()
    sheet = files.forms_xlsx(tmp_path / "applicants.xlsx", ROWS)
    before = _content(db_path)
    # The real program, with every SQLite connection it opens limited to a few more pages.
    launcher = (
        "import sys\n"
        "from sqlalchemy import event\n"
        "import db.engine as engine\n"
        "original = engine._configure_sqlite\n"
        "def configure(e):\n"
        "    original(e)\n"
        "    @event.listens_for(e, 'connect')\n"
        "    def full(c, _r):\n"
        "        pages = c.execute('PRAGMA page_count').fetchone()[0]\n"
        f"        c.execute(f'PRAGMA max_page_count = {{pages + {HEADROOM_PAGES}}}')\n"
        "engine._configure_sqlite = configure\n"
        "import main\n"
        "sys.exit(main.main(sys.argv[1:]))\n"
    )
    home = tmp_path / "home"
    env = {"LIVED_EXPERIENCE_HOME": str(home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", launcher, "--database", str(db_path), "import-applicants",
                           str(sheet), "--window", str(window)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "The disk is full: nothing was saved. Free some space and try again."
    assert done.stdout == ""
    assert _content(db_path) == before
    log = "\n".join(p.read_text(encoding="utf-8") for p in (home / "logs").glob("*.log*"))
    assert "refused: OperationalError" in log and "Traceback" not in log


def test_the_window_shows_a_full_disk_as_a_message_not_a_crash_report(qtbot, tmp_path, monkeypatch):
    import traceback

    from lived_experience.core.logs import setup_logging
    from ui import crash

    log_path = setup_logging(tmp_path / "logs")
    con = sqlite3.connect(tmp_path / "tiny.sqlite3")
    con.execute("CREATE TABLE t (x TEXT)")
    con.commit()
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count = {pages}")
    try:
        con.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.OperationalError as exc:
        error = OperationalError("INSERT INTO t", {}, exc)
    con.close()
    crashed, warned = [], []
    monkeypatch.setattr(crash.CrashDialog, "exec", lambda dlg: crashed.append(dlg) or 0)
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a: warned.append(a[-1]))
    crash.show_crash(None, error, "".join(traceback.format_exception(error)))
    assert crashed == []
    assert warned == ["The disk is full: nothing was saved. Free some space and try again."]
    crash.show_crash(None, RuntimeError("a real bug"), "Traceback...\nRuntimeError: a real bug")
    assert len(crashed) == 1  # a bug is still a crash report
    import logging

    for h in logging.getLogger().handlers:
        h.flush()
    assert "the database refused the work: OperationalError" in log_path.read_text(encoding="utf-8")
