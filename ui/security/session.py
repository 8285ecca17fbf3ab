"""Everything that belongs to a signed-in session in the window.

- the idle lock (``settings.lock_minutes``, at most 30);
- an Account menu: change my password, lock now;
- sign-out recorded in the audit log when the window closes;
- once a day, off the UI thread: an automatic backup and the retention run;
- when the database was found damaged: a read-only banner with the way to restore.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from lived_experience import settings as settings_service
from lived_experience.maintenance.readonly import read_only_reason
from lived_experience.security import accounts
from ui.common.forms import a11y
from ui.security.lock import IdleLock
from ui.theme import tone

log = logging.getLogger(__name__)


class Session(QObject):
    def __init__(self, window, state):
        super().__init__(window)
        self.window = window
        self.state = state
        self.signed_out = False
        self.idle_lock = IdleLock(state, window, settings_service.load(state.ctx).lock_minutes, parent=self)
        self.banner: QToolBar | None = None
        self.daily_task = None
        self._build_menu()
        window.installEventFilter(self)
        state.changed.connect(self._settings_may_have_changed)
        reason = read_only_reason(state.ctx.db)
        if reason:
            self.show_read_only_banner(reason)

    # -- menu ----------------------------------------------------------------------------
    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        self.menu = bar.addMenu("&Account")
        help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_action is not None:
            bar.insertMenu(help_action, self.menu)
        self.change_password_action = QAction("&Change my password…", self.window)
        self.change_password_action.triggered.connect(self.change_password)
        self.lock_action = QAction("&Lock now", self.window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.lock_action.triggered.connect(self.idle_lock.lock)
        self.window.addAction(self.lock_action)
        self.menu.addAction(self.change_password_action)
        self.menu.addAction(self.lock_action)
        signed_in = self.state.ctx.actor.id is not None
        self.change_password_action.setEnabled(signed_in and read_only_reason(self.state.ctx.db) is None)
        self.lock_action.setEnabled(signed_in)

    def change_password(self) -> None:
        from ui.security.signin import ChangePasswordDialog

        if ChangePasswordDialog(self.state, self.window).exec():
            self.state.interaction.info("Password changed", "Your password was changed.")

    def _settings_may_have_changed(self, entity: str) -> None:
        if entity in ("*", "app_setting"):
            self.state.ctx.cache.pop("settings", None)
            self.idle_lock.set_minutes(settings_service.load(self.state.ctx).lock_minutes)

    # -- signing out ---------------------------------------------------------------------
    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.sign_out()
        return False

    def sign_out(self) -> None:
        if self.signed_out:
            return
        self.signed_out = True
        self.idle_lock.stop()
        try:
            accounts.sign_out(self.state.ctx)
        except Exception:  # noqa: BLE001 - closing must never fail
            log.exception("could not record the sign-out")
        from lived_experience.maintenance import previews

        # The copies opened for a viewer (packs, papers) go with the session that opened them.
        try:
            previews.sweep(self.state.ctx.paths)
        except Exception:  # noqa: BLE001 - closing must never fail
            log.exception("could not remove the opened copies")

    # -- daily maintenance ---------------------------------------------------------------
    def start_daily_maintenance(self) -> None:
        """The automatic backup and retention run, once a day, in the background."""
        from lived_experience.maintenance.daily import run_daily
        from ui.tasks import run_task

        ctx = dataclasses.replace(self.state.ctx, cache={})
        self.daily_task = run_task(self.window, lambda _progress: run_daily(ctx),
                                   on_done=self._daily_done,
                                   on_error=lambda exc, tb: log.error("daily maintenance failed:\n%s", tb))

    def _daily_done(self, report) -> None:
        parts = []
        if report.backup is not None:
            parts.append("today's backup was made")
        if report.retention:
            parts.append(f"retention rules applied ({report.changed} records)")
        if parts:
            self.window.statusBar().showMessage("Daily maintenance: " + "; ".join(parts) + ".", 15_000)
        if report.changed:
            self.state.notify("*")
        if report.problems:
            self.state.interaction.warn("Daily maintenance", "\n\n".join(report.problems))

    # -- read-only ------------------------------------------------------------------------
    def show_read_only_banner(self, reason: str) -> None:
        bar = QToolBar("Read-only database")
        bar.setObjectName("readOnlyBanner")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setAccessibleName("Read-only database warning")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 4, 8, 4)
        text = QLabel(f"READ-ONLY: {reason}. You can look at the records, but nothing can be changed until "
                      "an administrator restores a backup.")
        text.setWordWrap(True)
        tone(text, "danger")
        text.setAccessibleName("Read-only database")
        row.addWidget(text, 1)
        button = a11y(QPushButton("Restore a backup…"), "Restore a backup",
                      "Open Admin > Backups to restore the database from a backup")
        button.clicked.connect(self.open_backups)
        row.addWidget(button)
        bar.addWidget(box)
        self.window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # a row of its own, full width
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.show()
        self.banner = bar

    def open_backups(self) -> None:
        page = self.window.show_section("admin")
        show = getattr(page, "show_tab", None)
        if show is not None:
            show("backups")


def start_session(window, state) -> Session:
    session = Session(window, state)
    window.session = session
    return session
