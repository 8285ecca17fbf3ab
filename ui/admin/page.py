"""Admin: staff accounts, the audit log, imports, settings, backups and data protection.

Each tab asks its service; a role that may not see it gets the service's own
refusal as a message (and the refusal is logged).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from lived_experience.core.errors import PermissionDenied
from lived_experience.listing.query import list_page
from ui.common.section_page import SectionPage, heading


def _refusal(message: str, title: str, parent) -> QWidget:
    w = QWidget(parent)
    lay = QVBoxLayout(w)
    lbl = QLabel(message)
    lbl.setWordWrap(True)
    lbl.setAccessibleName(f"Access to {title.lower()}")
    lay.addWidget(lbl)
    lay.addStretch(1)
    return w


def _guarded(state, kind: str, title: str, parent, build) -> QWidget:
    """Build the tab if the service lets this user read ``kind``; otherwise show its refusal."""
    try:
        list_page(state.ctx, kind, limit=1, with_total=False)
    except PermissionDenied as exc:
        return _refusal(exc.message, title, parent)
    return build()


def _list_tab(state, kind: str, title: str, parent) -> QWidget:
    def build():
        return type(f"{kind.title()}Tab", (SectionPage,), {"kind": kind, "title": title})(state, parent)

    return _guarded(state, kind, title, parent, build)


class AdminPage(QWidget):
    TAB_KEYS = ("staff", "audit", "imports", "settings", "backups", "data_protection")

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Admin", "Accounts, the audit log, imports, settings, backups and data protection."))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin areas")
        self.tabs.setAccessibleDescription("Staff accounts, audit log, imports, settings, backups, data protection")
        from ui.admin.accounts_tab import AccountsTab
        from ui.admin.audit_tab import AuditTab
        from ui.admin.backup_actions import BackupTab
        from ui.admin.data_protection_tab import DataProtectionTab
        from ui.admin.settings_tab import SettingsTab

        self.tabs.addTab(_guarded(state, "staff", "Staff accounts", self, lambda: AccountsTab(state, self)),
                         "Staff accounts")
        self.tabs.addTab(_guarded(state, "audit", "Audit log", self, lambda: AuditTab(state, self)), "Audit log")
        self.tabs.addTab(_list_tab(state, "imports", "Imports", self), "Imports")
        self.tabs.addTab(SettingsTab(state, self), "Settings")
        self.tabs.addTab(BackupTab(state, self), "Backups")
        self.tabs.addTab(_guarded(state, "people", "Data protection", self, lambda: DataProtectionTab(state, self)),
                         "Data protection")
        lay.addWidget(self.tabs, 1)

    def show_tab(self, key: str) -> QWidget:
        self.tabs.setCurrentIndex(self.TAB_KEYS.index(key))
        return self.tabs.currentWidget()

    def tab(self, key: str) -> QWidget:
        return self.tabs.widget(self.TAB_KEYS.index(key))

    def save_layout(self) -> None:
        for i in range(self.tabs.count()):
            save = getattr(self.tabs.widget(i), "save_layout", None)
            if save:
                save()
