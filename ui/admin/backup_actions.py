"""Backing up from the window: off the UI thread, with progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from lived_experience.core.formatting import uk_datetime
from ui.tasks import run_task


def backup_now(state, parent) -> None:
    from lived_experience.maintenance.backups import backup_to

    if state.ctx.paths is None:
        return
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suggested = str(state.ctx.paths.backup_dir / f"lived-experience-{stamp}.sqlite3")
    path = state.interaction.save_file("Back up the database", suggested, "Database backup (*.sqlite3)")
    if not path:
        return
    run_task(parent, lambda progress: backup_to(state.ctx, Path(path), progress=progress),
             label="Backing up…",
             on_done=lambda r: (state.interaction.info("Backup made",
                                                       f"Backup written to {r.path} and checked ({r.check})."),
                                state.notify("backup")),
             on_error=state.interaction.error)


class BackupTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        folder = state.ctx.paths.backup_dir if state.ctx.paths else None
        info = QLabel(f"Backups are kept in {folder}." if folder else "")
        info.setWordWrap(True)
        lay.addWidget(info)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        self.list.setAccessibleDescription("Backups in the backup folder, newest first")
        lay.addWidget(self.list, 1)
        b = QPushButton("Back up now…")
        b.setAccessibleName("Back up now")
        b.setAccessibleDescription("Make an integrity-checked copy of the database")
        b.clicked.connect(lambda: backup_now(state, self))
        lay.addWidget(b)
        state.changed.connect(lambda e: self.refresh() if e in ("backup", "*") else None)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        folder = self.state.ctx.paths.backup_dir if self.state.ctx.paths else None
        if folder is None or not folder.exists():
            return
        files = sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)
        for f in files:
            when = dt.datetime.fromtimestamp(f.stat().st_mtime, dt.UTC)
            self.list.addItem(f"{f.name}   {uk_datetime(when)}   {f.stat().st_size // 1024:,} KB")
        if not files:
            self.list.addItem("No backups yet.")
