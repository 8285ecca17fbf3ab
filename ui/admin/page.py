"""Admin: staff accounts, the audit log, imports, settings and backups.

Each tab asks its service; a role that may not see it gets the service's own
refusal as a message (and the refusal is logged).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from lived_experience.core.errors import PermissionDenied
from lived_experience.listing.query import list_page
from ui.common.section_page import SectionPage, heading


def _list_tab(state, kind: str, title: str, parent) -> QWidget:
    try:
        list_page(state.ctx, kind, limit=1, with_total=False)
    except PermissionDenied as exc:
        w = QWidget(parent)
        lay = QVBoxLayout(w)
        lbl = QLabel(exc.message)
        lbl.setWordWrap(True)
        lbl.setAccessibleName(f"Access to {title.lower()}")
        lay.addWidget(lbl)
        lay.addStretch(1)
        return w
    page = type(f"{kind.title()}Tab", (SectionPage,), {"kind": kind, "title": title})(state, parent)
    return page


class AdminPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Admin", "Accounts, the audit log, imports, settings and backups."))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin areas")
        self.tabs.addTab(_list_tab(state, "staff", "Staff accounts", self), "Staff accounts")
        self.tabs.addTab(_list_tab(state, "audit", "Audit log", self), "Audit log")
        self.tabs.addTab(_list_tab(state, "imports", "Imports", self), "Imports")
        from ui.admin.settings_tab import SettingsTab

        self.tabs.addTab(SettingsTab(state, self), "Settings")
        from ui.admin.backup_actions import BackupTab

        self.tabs.addTab(BackupTab(state, self), "Backups")
        lay.addWidget(self.tabs, 1)

    def save_layout(self) -> None:
        for i in range(self.tabs.count()):
            save = getattr(self.tabs.widget(i), "save_layout", None)
            if save:
                save()
