"""The pieces every sign-in, unlock and passphrase dialog is made of, so they
look, read and behave alike (and a screen reader announces them alike)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit

from ui.common.forms import a11y
from ui.theme import tone


def password_edit(name: str, description: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    a11y(edit, name, description)
    return edit


def readable_width(dialog: QDialog, chars: int = 64) -> None:
    """Wide enough for lines of about ``chars`` characters in the dialog's font, so the introduction and a
    problem read in a few lines, not a narrow column (and grow with a larger system font)."""
    dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * chars)


def message_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    tone(label, "danger")
    a11y(label, "Problem", "What needs putting right before you can go on")
    return label


def ok_cancel(dialog: QDialog, ok_text: str, ok_description: str, cancel_description: str,
              on_ok) -> QDialogButtonBox:
    """OK (renamed ``ok_text``) and Cancel; OK calls ``on_ok``, Cancel rejects the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    a11y(ok, ok_text.replace("&", ""), ok_description)
    a11y(buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel", cancel_description)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons
