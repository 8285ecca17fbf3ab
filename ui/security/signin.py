"""Signing in: the first administrator on first run, then a password for everyone.

- A database with no accounts asks for the first administrator (user name, name,
  password twice); creating it ends the local set-up mode and signs them in.
- Otherwise the sign-in dialog asks for a user name and password.
- An account whose password was set by an administrator must choose its own
  password before going on.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from lived_experience.core.errors import UserError
from lived_experience.security import accounts
from ui.common.forms import a11y
from ui.security.widgets import message_label, ok_cancel, password_edit, readable_width


class SignInDialog(QDialog):
    def __init__(self, state, parent=None, *, before=None):
        super().__init__(parent)
        self.state = state
        # Called before the password is checked: start-up waits here for its check of the file.
        self.before = before or (lambda: None)
        self.setWindowTitle("Sign in to Lived Experience")
        self.setAccessibleName("Sign in")
        readable_width(self)
        lay = QVBoxLayout(self)
        intro = QLabel("This database holds special category personal data. Sign in with your own account.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit()
        a11y(self.username, "User name", "Your Lived Experience user name")
        self.password = password_edit("Password", "Your password")
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)
        lay.addLayout(form)
        self.message = message_label()
        lay.addWidget(self.message)
        buttons = ok_cancel(self, "Sign in", "Check the password and open the app", "Close the app without signing in", self.try_sign_in)
        lay.addWidget(buttons)

    def try_sign_in(self) -> None:
        self.before()
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


class FirstAdminDialog(QDialog):
    """First run: nobody can sign in yet, so the person setting the app up becomes its administrator."""

    def __init__(self, state, parent=None, *, before=None):
        super().__init__(parent)
        self.state = state
        # Called before the password is checked: start-up waits here for its check of the file.
        self.before = before or (lambda: None)
        self.setWindowTitle("Set up Lived Experience: the first administrator")
        self.setAccessibleName("Create the first administrator")
        readable_width(self, 80)  # the longest introduction of the three
        lay = QVBoxLayout(self)
        intro = QLabel(
            "<b>Welcome.</b> This database has no staff accounts yet. Create the first administrator: "
            "the account that manages everyone else's accounts, the settings and the backups.<br><br>"
            f"Choose a password of at least {accounts.MIN_PASSWORD} characters that you do not use anywhere else."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.username = a11y(QLineEdit(), "User name", "The name you will sign in with (no spaces)")
        self.display_name = a11y(QLineEdit(), "Your name", "Your name as shown in the app and the audit log")
        self.password = password_edit("Password", f"At least {accounts.MIN_PASSWORD} characters")
        self.confirm = password_edit("Password again", "Type the same password again")
        form.addRow("&User name:", self.username)
        form.addRow("Your &name:", self.display_name)
        form.addRow("&Password:", self.password)
        form.addRow("Password &again:", self.confirm)
        lay.addLayout(form)
        self.message = message_label()
        lay.addWidget(self.message)
        buttons = ok_cancel(self, "Create administrator", "Create the account and sign in with it", "Close the app without setting it up", self.try_create)
        lay.addWidget(buttons)

    def try_create(self) -> None:
        self.before()
        if self.password.text() != self.confirm.text():
            self.message.setText("The two passwords are not the same.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            actor = accounts.create_first_admin(self.state.ctx, self.username.text(), self.display_name.text(),
                                                self.password.text())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.state.ctx.actor = actor
        self.password.clear()
        self.confirm.clear()
        self.accept()


class ChangePasswordDialog(QDialog):
    """The signed-in user changes their own password (forced when an administrator set it)."""

    def __init__(self, state, parent=None, *, forced: bool = False):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Change your password")
        self.setAccessibleName("Change your password")
        readable_width(self)
        lay = QVBoxLayout(self)
        text = ("An administrator set your password. Choose your own before you go on."
                if forced else "Change the password you sign in with.")
        intro = QLabel(text + f" At least {accounts.MIN_PASSWORD} characters.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.current = password_edit("Current password", "The password you signed in with")
        self.new = password_edit("New password", f"At least {accounts.MIN_PASSWORD} characters")
        self.confirm = password_edit("New password again", "Type the new password again")
        form.addRow("&Current password:", self.current)
        form.addRow("&New password:", self.new)
        form.addRow("New password &again:", self.confirm)
        lay.addLayout(form)
        self.message = message_label()
        lay.addWidget(self.message)
        buttons = ok_cancel(self, "Change password", "Save the new password",
                            "Close the app" if forced else "Keep the current password", self.try_change)
        lay.addWidget(buttons)

    def try_change(self) -> None:
        if self.new.text() != self.confirm.text():
            self.message.setText("The two new passwords are not the same.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            accounts.change_own_password(self.state.ctx, self.current.text(), self.new.text())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        for edit in (self.current, self.new, self.confirm):
            edit.clear()
        self.accept()


def ensure_signed_in(window, state, *, before=None) -> bool:
    """First run: create the first administrator. Otherwise: sign in. Then a forced password change.

    ``before()`` runs before a password is checked (start-up passes the end of its file check, so that
    signing in knows whether the database is read-only)."""
    if accounts.count_accounts(state.ctx) == 0:
        dlg = FirstAdminDialog(state, window, before=before)
    else:
        dlg = SignInDialog(state, window, before=before)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    state.actor_changed.emit()
    from lived_experience.maintenance.readonly import is_read_only

    if accounts.must_change_password(state.ctx) and not is_read_only(state.ctx.db):
        change = ChangePasswordDialog(state, window, forced=True)
        if change.exec() != QDialog.DialogCode.Accepted:
            accounts.sign_out(state.ctx)
            return False
    return True
