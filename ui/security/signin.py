"""Signing in when the database has staff accounts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from lived_experience.core.errors import UserError
from lived_experience.security import accounts


class SignInDialog(QDialog):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Sign in to Lived Experience")
        self.setAccessibleName("Sign in")
        lay = QVBoxLayout(self)
        intro = QLabel("This database holds special category personal data. Sign in with your own account.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.username.setAccessibleDescription("Your Lived Experience user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setAccessibleDescription("Your password")
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setAccessibleName("Sign-in message")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def try_sign_in(self) -> None:
        try:
            actor = accounts.authenticate(self.state.ctx, self.username.text(), self.password.text())
        except UserError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.state.ctx.actor = actor
        self.password.clear()
        self.accept()


def ensure_signed_in(window, state) -> bool:
    """No accounts yet: carry on as the local set-up user. Otherwise ask to sign in."""
    if accounts.count_accounts(state.ctx) == 0:
        return True
    dlg = SignInDialog(state, window)
    return dlg.exec() == QDialog.DialogCode.Accepted
