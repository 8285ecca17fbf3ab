"""Backing up and restoring from the window: off the UI thread, with progress.

Admin > Backups lists what is in the backups folder (newest first) with when
rotation removes each; Back up now… and Restore… are there (File > Back up
now… too). A restore makes a safety copy first, refuses a file that is not a
whole Lived Experience backup, and then closes the window so that everyone
signs in again to the restored records.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_datetime
from lived_experience.maintenance.readonly import read_only_reason
from ui.common.forms import a11y
from ui.tasks import run_task
from ui.theme import tone


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


def restore(state, parent, path: str | None = None) -> bool:
    """Ask for a backup (unless given), confirm, restore it, then close the window. True when restored."""
    from lived_experience.maintenance.restore import inspect_backup, restore_from

    if path is None:
        path = state.interaction.open_file("Restore a backup", "Database backup (*.sqlite3)")
    if not path:
        return False
    from lived_experience.maintenance.encryption import passphrase_of

    try:
        facts = inspect_backup(Path(path), passphrase_of(state.ctx.db.url))
    except UserError as exc:
        state.interaction.error(exc)
        return False
    if not state.interaction.confirm(
            "Restore this backup?",
            f"{facts.path.name} holds {facts.people:,} people and {facts.audit_events:,} audit events.\n\n"
            "Restoring replaces every record in the database with the backup's: anything entered since it was "
            "made is lost (a safety copy of the database as it is now is kept in the backups folder).\n\n"
            "Lived Experience closes afterwards: start it again and sign in.",
            yes="Restore", no="Cancel"):
        return False
    outcome: dict = {}

    def done(result) -> None:
        outcome["result"] = result
        state.interaction.info(
            "Backup restored",
            f"Restored {result.restored_from.name} ({result.people:,} people). The database as it was is kept in "
            f"{result.safety_copy}.\n\nLived Experience will now close: start it again and sign in.")
        window = parent.window() if parent is not None else None
        if window is not None:
            window.close()

    run_task(parent, lambda progress: restore_from(state.ctx, facts.path, progress=progress),
             label="Restoring…", cancellable=False, on_done=done, on_error=state.interaction.error)
    return "result" in outcome


class BackupTab(QWidget):
    HEADERS = ["Backup", "Kind", "Made", "Size", "Removed"]

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        folder = state.ctx.paths.backup_dir if state.ctx.paths else None
        text = (f"Backups are kept in {folder}. One is made automatically each day the app is opened "
                "(the newest ones are kept, as set in Settings), each checked before it counts. ") if folder else ""
        if state.ctx.db.is_sqlite:
            text += "Restoring makes a safety copy of the database first."
        else:
            text = ("This is a shared PostgreSQL database: the server's own backups apply. Back up now… writes a "
                    "pg_dump file; restore one with your database administrator.")
        info = QLabel(text)
        info.setWordWrap(True)
        lay.addWidget(info)
        reason = read_only_reason(state.ctx.db)
        if reason:
            warn = QLabel(f"The database is open read-only because {reason}. Restore a backup to carry on.")
            warn.setWordWrap(True)
            tone(warn, "danger")
            warn.setAccessibleName("Read-only database")
            lay.addWidget(warn)
        self.table = QTableWidget(0, len(self.HEADERS))
        a11y(self.table, "Backups", "Backups in the backup folder, newest first, and when each will be removed")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.backup_button = a11y(QPushButton("&Back up now…"), "Back up now",
                                  "Make an integrity-checked copy of the database")
        self.restore_selected_button = a11y(QPushButton("Restore the &selected backup…"),
                                            "Restore the selected backup",
                                            "Replace the database with the backup selected above")
        self.restore_button = a11y(QPushButton("&Restore from a file…"), "Restore from a file",
                                   "Choose a backup file and replace the database with it")
        self.backup_button.clicked.connect(lambda: backup_now(state, self))
        self.restore_selected_button.clicked.connect(self.restore_selected)
        self.restore_button.clicked.connect(lambda: restore(state, self))
        row.addWidget(self.backup_button)
        row.addStretch(1)
        row.addWidget(self.restore_selected_button)
        row.addWidget(self.restore_button)
        lay.addLayout(row)
        from lived_experience.security.permissions import Perm

        self.may = state.ctx.actor.can(Perm.BACKUP)
        self.restore_button.setEnabled(self.may and state.ctx.db.is_sqlite)
        self.backup_button.setEnabled(self.may)
        if not self.may:
            note = QLabel("Only administrators can make and restore backups.")
            note.setAccessibleName("Who can back up")
            lay.addWidget(note)
        self.table.itemSelectionChanged.connect(self._selection)
        state.changed.connect(lambda e: self.refresh() if e in ("backup", "*") else None)
        self.refresh()

    def _selection(self) -> None:
        self.restore_selected_button.setEnabled(self.may and self.state.ctx.db.is_sqlite
                                                and self.selected_path() is not None)

    def selected_path(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return Path(item.toolTip()) if item is not None and item.toolTip() else None

    def refresh(self) -> None:
        from lived_experience.maintenance.backups import list_backups

        infos = list_backups(self.state.ctx)
        self.table.setRowCount(len(infos))
        for r, info in enumerate(infos):
            values = [info.path.name, info.kind_label, uk_datetime(info.made_at),
                      f"{max(1, info.size_bytes // 1024):,} KB", info.expires]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 0:
                    item.setToolTip(str(info.path))
                self.table.setItem(r, c, item)
        self._selection()

    def restore_selected(self) -> None:
        path = self.selected_path()
        if path is not None:
            restore(self.state, self, str(path))
