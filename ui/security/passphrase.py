"""The passphrase of an encrypted database, asked for at start-up (before the database opens).

``database_for_window(args, paths, parent)`` returns the database URL to open:
unchanged for a plain SQLite file or PostgreSQL; for an encrypted file, with the
passphrase from ``LIVED_EXPERIENCE_DB_PASSPHRASE`` or typed into this dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QVBoxLayout

from ui.security.widgets import ok_cancel, password_edit, readable_width


class PassphraseDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Encrypted database")
        self.setAccessibleName("Passphrase for the encrypted database")
        readable_width(self)
        lay = QVBoxLayout(self)
        intro = QLabel("This database is encrypted. Type its passphrase to open it.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.passphrase = password_edit("Passphrase", "The passphrase the database was encrypted with")
        form.addRow("&Passphrase:", self.passphrase)
        lay.addLayout(form)
        buttons = ok_cancel(self, "Open", "Open the encrypted database with this passphrase", "Do not open the database", self.accept)
        lay.addWidget(buttons)


def ask_passphrase(parent=None) -> str | None:
    dlg = PassphraseDialog(parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.passphrase.text() or None


def database_for_window(args, paths, parent=None) -> str:
    """The URL ``open_context`` should open; raises UserError without a working passphrase."""
    from lived_experience.core.dburl import resolve_url
    from lived_experience.maintenance.encryption import resolve_database_arg

    return resolve_database_arg(resolve_url(getattr(args, "database", None), paths),
                                lambda: ask_passphrase(parent))
