"""Admin > Staff accounts: create accounts, change roles, deactivate, reset passwords.

Every action goes through ``lived_experience.security.accounts``, which checks the
administrator's permission, refuses to lose the last active administrator and
audits the change. Each form keeps the version it loaded: if another
administrator changed the account meanwhile, the save is refused and both
versions are shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from db.enums import Role
from lived_experience.core.errors import ConflictError, UserError
from lived_experience.security import accounts
from lived_experience.security.permissions import ROLE_SUMMARIES
from ui.common.conflict import RELOAD, resolve_conflict
from ui.common.forms import EnumCombo, FormDialog, a11y
from ui.common.section_page import SectionPage


def _password(label: str, description: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return a11y(edit, label, description)


def _roles_text() -> str:
    return "\n".join(f"{role.label}: {text}" for role, text in ROLE_SUMMARIES.items())


class NewAccountDialog(FormDialog):
    def __init__(self, state, parent=None):
        super().__init__("New staff account", parent, ok_text="Create account",
                         intro="The person chooses their own password the first time they sign in; give them "
                               "the temporary one below in person or by phone, never by email.")
        self.state = state
        self.username = self.add("&User name:", QLineEdit(), "The name they sign in with (no spaces)")
        self.display_name = self.add("&Name:", QLineEdit(), "Their name as shown in the app")
        self.email = self.add("&Email:", QLineEdit(), "Their work email address (optional)")
        self.role = self.add("&Role:", EnumCombo(Role, "Role", value=Role.COORDINATOR), _roles_text())
        self.password = self.add("&Temporary password:", _password("Temporary password",
                                                                    f"At least {accounts.MIN_PASSWORD} characters"))
        self.confirm = self.add("Temporary password &again:", _password("Temporary password again",
                                                                        "Type the temporary password again"))
        roles = QLabel(_roles_text())
        roles.setWordWrap(True)
        self.form.addRow(roles)

    def save(self):
        if self.password.text() != self.confirm.text():
            raise UserError("The two passwords are not the same.")
        return accounts.create_account(self.state.ctx, self.username.text(), self.display_name.text(),
                                       self.role.value(), self.password.text(), email=self.email.text(),
                                       must_change_password=True)


class EditAccountDialog(FormDialog):
    """Name, email and role of an account; saved against the version the form loaded."""

    LABELS = {"display_name": "Name", "email": "Email", "role": "Role"}

    def __init__(self, state, account: accounts.StaffAccount, parent=None):
        super().__init__(f"Change the account '{account.username}'", parent, ok_text="Save changes")
        self.state = state
        self.account = account
        self.version = account.version
        self.display_name = self.add("&Name:", QLineEdit(account.display_name), "Their name as shown in the app")
        self.email = self.add("&Email:", QLineEdit(account.email or ""), "Their work email address")
        self.role = self.add("&Role:", EnumCombo(Role, "Role", value=account.role), _roles_text())

    def values(self) -> dict:
        return {"display_name": self.display_name.text(), "email": self.email.text(),
                "role": Role(self.role.value()).label}

    def load(self, account: accounts.StaffAccount) -> None:
        self.account = account
        self.version = account.version
        self.display_name.setText(account.display_name)
        self.email.setText(account.email or "")
        self.role.set_value(account.role)

    def save(self):
        try:
            return accounts.update_account(self.state.ctx, self.account.id, display_name=self.display_name.text(),
                                           email=self.email.text(), role=self.role.value(),
                                           expected_version=self.version)
        except ConflictError as exc:
            theirs = accounts.get_account(self.state.ctx, self.account.id)
            shown = {"display_name": theirs.display_name, "email": theirs.email or "", "role": theirs.role.label}
            if resolve_conflict(self, exc, yours=self.values(), theirs=shown, labels=self.LABELS) == RELOAD:
                self.load(theirs)
            else:
                self.version = theirs.version
            raise UserError("Not saved yet: check the values and press Save changes again.") from None


class ResetPasswordDialog(FormDialog):
    def __init__(self, state, account: accounts.StaffAccount, parent=None):
        super().__init__(f"Reset the password of '{account.username}'", parent, ok_text="Reset password",
                         intro="They must choose their own password the next time they sign in.")
        self.state = state
        self.account = account
        self.password = self.add("&Temporary password:", _password("Temporary password",
                                                                    f"At least {accounts.MIN_PASSWORD} characters"))
        self.confirm = self.add("Temporary password &again:", _password("Temporary password again",
                                                                        "Type the temporary password again"))

    def save(self):
        if self.password.text() != self.confirm.text():
            raise UserError("The two passwords are not the same.")
        return accounts.reset_password(self.state.ctx, self.account.id, self.password.text(),
                                       expected_version=self.account.version)


class StaffPage(SectionPage):
    kind = "staff"
    title = "Staff accounts"


class AccountsTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = StaffPage(state, self)
        lay.addWidget(self.page, 1)
        row = QHBoxLayout()
        self.new_button = a11y(QPushButton("&New account…"), "New account", "Create a staff account")
        self.edit_button = a11y(QPushButton("&Change name, email or role…"), "Change name, email or role",
                                "Change the selected account's name, email or role")
        self.active_button = a11y(QPushButton("&Deactivate"), "Deactivate or reactivate",
                                  "Stop the selected account signing in (its history stays), or let it again")
        self.reset_button = a11y(QPushButton("&Reset password…"), "Reset password",
                                 "Give the selected account a temporary password")
        for b in (self.new_button, self.edit_button, self.active_button, self.reset_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.new_button.clicked.connect(self.new_account)
        self.edit_button.clicked.connect(self.edit_account)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.page.on_row = self._selection  # called whenever the current row changes
        self.page.list.activated.connect(lambda _row: self.edit_account())
        self._selection(self.page.list.selected_row())

    def _selection(self, row) -> None:
        has = row is not None
        for b in (self.edit_button, self.active_button, self.reset_button):
            b.setEnabled(has)
        self.active_button.setText("&Reactivate" if has and not row.get("is_active") else "&Deactivate")

    def selected(self) -> accounts.StaffAccount | None:
        row = self.page.list.selected_row()
        if row is None:
            return None
        try:
            return accounts.get_account(self.state.ctx, row["id"])
        except UserError as exc:
            self.state.interaction.error(exc)
            return None

    def _done(self, message: str) -> None:
        self.state.notify("staff_user")
        self.state.interaction.info("Staff accounts", message)

    def new_account(self) -> None:
        dlg = NewAccountDialog(self.state, self)
        if dlg.exec():
            a = dlg.result_value
            self._done(f"The account '{a.username}' ({a.role.label}) was created. They will choose their own "
                       "password when they first sign in.")

    def edit_account(self) -> None:
        account = self.selected()
        if account is None:
            return
        dlg = EditAccountDialog(self.state, account, self)
        if dlg.exec():
            self._done(f"The account '{account.username}' was changed.")

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        if account.is_active and not self.state.interaction.confirm(
                "Deactivate the account?",
                f"{account.display_name} will no longer be able to sign in. Their history stays in the audit log, "
                "and the account can be reactivated later.", yes="Deactivate", no="Cancel"):
            return
        try:
            accounts.set_active(self.state.ctx, account.id, not account.is_active,
                                expected_version=account.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self._done(f"The account '{account.username}' was {'deactivated' if account.is_active else 'reactivated'}.")

    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        if ResetPasswordDialog(self.state, account, self).exec():
            self._done(f"The password of '{account.username}' was reset. They must choose their own at their "
                       "next sign-in.")

    def save_layout(self) -> None:
        self.page.save_layout()
