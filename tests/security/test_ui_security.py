"""The window's security: first run, sign-in, the idle lock, Admin's accounts, audit, backups and data
protection, the conflict dialog and the crash hook (offscreen, services real)."""

from __future__ import annotations

import sys
import time

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHeaderView,
    QLineEdit,
    QScrollArea,
    QScrollBar,
    QTabBar,
    QWidget,
)

from lived_experience.core.errors import ConflictError, UserError
from lived_experience.security import accounts

PW = "admin-password-1"


def _sign_in_admin(state):
    state.ctx.actor = accounts.create_first_admin(state.ctx, "boss", "Pat Boss", PW)
    state.actor_changed.emit()
    return state.ctx.actor


def _unnamed_controls(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisibleTo(root) and w.isEnabled():
            # Scroll areas (the shared RecordDetails panel), scroll bars, tab bars and headers are Qt's own
            # furniture: the section-page accessibility test covers them.
            if isinstance(w, QScrollArea | QScrollBar | QTabBar | QHeaderView) or \
                    type(w).__name__ == "QTableCornerButton":
                continue
            if not w.accessibleName() or not w.accessibleDescription():
                out.append(f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}")
    return out


# -- first run and signing in ------------------------------------------------------------------
def test_first_run_asks_for_the_first_administrator_then_signs_them_in(qtbot, sqlite_ctx, interaction, monkeypatch):
    from ui.security import signin
    from ui.shell.main_window import MainWindow
    from ui.startup import attach_services

    shown = []

    def fill(dlg):
        shown.append(type(dlg).__name__)
        dlg.username.setText("boss")
        dlg.display_name.setText("Pat Boss")
        dlg.password.setText("short")
        dlg.confirm.setText("short")
        dlg.try_create()
        assert "at least 10" in dlg.message.text() and not dlg.result()
        dlg.password.setText(PW)
        dlg.confirm.setText(PW + "x")
        dlg.try_create()
        assert "not the same" in dlg.message.text()
        dlg.confirm.setText(PW)
        dlg.try_create()
        return dlg.result()

    monkeypatch.setattr(signin.FirstAdminDialog, "exec", fill)
    interaction.answers["confirm"] = False  # no demo data
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    state = attach_services(w, sqlite_ctx, interaction)
    assert shown == ["FirstAdminDialog"]
    assert state.ctx.actor.username == "boss" and state.ctx.actor.id is not None
    assert "Pat Boss" in w.user_label.text()
    assert [a.text() for a in w.session.menu.actions()] == ["&Change my password…", "&Lock now"]
    # The daily maintenance ran (synchronously in tests): today's backup exists.
    assert any(p.name.startswith("auto-") for p in sqlite_ctx.paths.backup_dir.iterdir())
    from lived_experience.maintenance import previews

    opened = previews.new_folder(sqlite_ctx.paths)  # a pack opened for a viewer during the session
    (opened / "pack-preview.pdf").write_bytes(b"%PDF-1.4")
    w.close()
    assert not opened.exists()  # signing out (closing) removes it
    from sqlalchemy import select

    import db.models as m
    from lived_experience.core.uow import unit_of_work

    with unit_of_work(sqlite_ctx, readonly=True) as s:
        actions = list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))
    assert actions[:2] == ["account.create", "sign_in"] and actions[-1] == "sign_out"


def test_cancelling_the_first_run_closes_the_window(qtbot, sqlite_ctx, interaction, monkeypatch):
    from ui.security import signin
    from ui.shell.main_window import MainWindow
    from ui.startup import attach_services

    monkeypatch.setattr(signin.FirstAdminDialog, "exec", lambda dlg: QDialog.DialogCode.Rejected)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    attach_services(w, sqlite_ctx, interaction)
    assert not w.isVisible() and accounts.count_accounts(sqlite_ctx) == 0


@pytest.mark.parametrize("name", ["FirstAdminDialog", "SignInDialog", "ChangePasswordDialog", "LockDialog",
                                  "PassphraseDialog"])
def test_the_sign_in_dialogs_are_wide_enough_to_read(qtbot, state, name):
    """The first administrator's dialog opened about 240 px wide: its introduction a narrow column, its last
    words cut off. Each dialog (sign-in, unlock, passphrase) is wide enough for lines of sixty characters or
    so, and shows all its words."""
    from PySide6.QtWidgets import QLabel

    from ui.security import lock, passphrase, signin

    if name == "PassphraseDialog":
        dlg = passphrase.PassphraseDialog()
    else:
        dlg = getattr(lock if name == "LockDialog" else signin, name)(state)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    if hasattr(dlg, "message"):
        dlg.message.setText("The two passwords are not the same.")
    QApplication.processEvents()
    assert dlg.width() >= 60 * dlg.fontMetrics().averageCharWidth()
    for label in dlg.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()[:40]
    dlg.done(0) if name != "LockDialog" else dlg.hide()


def test_sign_in_dialog_and_a_forced_password_change(qtbot, state, monkeypatch):
    from db.enums import Role
    from ui.security import signin

    _sign_in_admin(state)
    accounts.create_account(state.ctx, "ann", "Ann", Role.VIEWER, "temporary-pass-1", must_change_password=True)
    dlg = signin.SignInDialog(state)
    qtbot.addWidget(dlg)
    dlg.username.setText("ann")
    dlg.password.setText("wrong-password")
    dlg.try_sign_in()
    assert "not right" in dlg.message.text() and dlg.password.text() == ""
    dlg.password.setText("temporary-pass-1")
    dlg.try_sign_in()
    assert state.ctx.actor.username == "ann" and dlg.result() == QDialog.DialogCode.Accepted

    def change(d):
        d.current.setText("temporary-pass-1")
        d.new.setText("anns-own-pass-1")
        d.confirm.setText("anns-own-pass-1")
        d.try_change()
        return d.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", lambda d: (d.username.setText("ann"),
                                                               d.password.setText("temporary-pass-1"),
                                                               d.try_sign_in(), d.result())[-1])
    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", change)
    assert signin.ensure_signed_in(None, state)
    assert not accounts.must_change_password(state.ctx)
    assert accounts.authenticate(state.ctx, "ann", "anns-own-pass-1").username == "ann"


# -- the idle lock -------------------------------------------------------------------------------
def test_the_window_locks_when_idle_hides_everything_and_keeps_unsaved_work(qtbot, window, state):
    from ui.common.forms import FormDialog
    from ui.security.lock import Cover, LockDialog
    from ui.security.session import start_session

    _sign_in_admin(state)
    session = start_session(window, state)
    lock = session.idle_lock
    assert lock.minutes == 15
    form = FormDialog("Half-filled form", window)
    edit = form.add("Notes:", QLineEdit())
    form.show()
    qtbot.addWidget(form)
    edit.setText("typed but not saved")
    # Input keeps it unlocked; fifteen idle minutes lock it.
    lock.last_input = time.monotonic() - 14 * 60
    qtbot.keyClick(edit, Qt.Key.Key_Shift)
    lock.check()
    assert not lock.is_locked and lock.idle_seconds() < 5
    lock.last_input = time.monotonic() - 15 * 60 - 1
    lock.check()
    assert lock.is_locked
    covers = [w for w in QApplication.allWidgets() if isinstance(w, Cover)]
    assert {c.parentWidget() for c in covers} >= {window, form}
    assert all(c.isVisible() and c.geometry() == c.parentWidget().rect() for c in covers)
    dialog = lock.dialog
    assert isinstance(dialog, LockDialog) and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.ApplicationModal
    dialog.reject()  # Escape does not unlock
    dialog.close()
    assert lock.is_locked and dialog.isVisible()
    dialog.password.setText("wrong-password")
    dialog.try_unlock()
    assert lock.is_locked and "not the right password" in dialog.message.text()
    dialog.password.setText(PW)
    dialog.try_unlock()
    assert not lock.is_locked
    assert not any(isinstance(w, Cover) and w.isVisible() for w in QApplication.allWidgets())
    assert form.isVisible() and edit.text() == "typed but not saved"
    assert _unnamed_controls(dialog) == []


def test_the_lock_follows_the_setting(qtbot, window, state):
    from lived_experience import settings
    from ui.security.session import start_session

    _sign_in_admin(state)
    session = start_session(window, state)
    settings.update(state.ctx, lock_minutes=5)
    state.notify("app_setting")
    assert session.idle_lock.minutes == 5
    with pytest.raises(UserError, match="between 1 and 30"):
        settings.update(state.ctx, lock_minutes=45)
    session.lock_action.trigger()  # Account > Lock now
    assert session.idle_lock.is_locked
    session.idle_lock.unlock()


# -- Admin ---------------------------------------------------------------------------------------
def test_admin_staff_accounts(qtbot, window, state, interaction, qtmodeltester):
    from ui.admin.accounts_tab import NewAccountDialog

    _sign_in_admin(state)
    page = window.show_section("admin")
    tab = page.show_tab("staff")
    assert _unnamed_controls(tab) == []
    qtmodeltester.check(tab.page.list.model, force_py=False)
    dlg = NewAccountDialog(state, tab)
    qtbot.addWidget(dlg)
    assert _unnamed_controls(dlg) == []
    dlg.username.setText("newbie")
    dlg.display_name.setText("New Bie")
    dlg.role.set_value("dbs_officer")
    dlg.password.setText("temporary-pass-1")
    dlg.confirm.setText("temporary-pass-2")
    dlg._on_ok()
    assert "not the same" in dlg.error_label.text()
    dlg.confirm.setText("temporary-pass-1")
    dlg._on_ok()
    assert dlg.result_value.role.value == "dbs_officer"
    state.notify("staff_user")
    assert tab.page.list.select_id(dlg.result_value.id)
    interaction.answers["confirm"] = True
    tab.toggle_active()
    assert not accounts.get_account(state.ctx, dlg.result_value.id).is_active
    assert tab.active_button.text() == "&Reactivate"
    # The last active administrator cannot be deactivated: the service says why.
    assert tab.page.list.select_id(state.ctx.actor.id)
    tab.toggle_active()
    assert any("cannot deactivate your own account" in str(e) for e in interaction.errors)


def test_admin_account_conflict_shows_both_versions(qtbot, window, state, monkeypatch):
    from db.enums import Role
    from ui.admin import accounts_tab
    from ui.common import conflict

    _sign_in_admin(state)
    ann = accounts.create_account(state.ctx, "ann", "Ann", Role.VIEWER, "ann-password-12")
    dlg = accounts_tab.EditAccountDialog(state, accounts.get_account(state.ctx, ann.id))
    qtbot.addWidget(dlg)
    accounts.update_account(state.ctx, ann.id, display_name="Ann Changed Elsewhere")
    seen = {}

    def fake_resolve(parent, error, *, yours, theirs, labels):
        seen.update(yours=yours, theirs=theirs, message=error.message)
        return conflict.RELOAD

    monkeypatch.setattr(accounts_tab, "resolve_conflict", fake_resolve)
    dlg.role.set_value("coordinator")
    dlg._on_ok()
    assert "changed by Pat Boss" in seen["message"]
    assert seen["theirs"]["display_name"] == "Ann Changed Elsewhere" and seen["yours"]["role"] == "Coordinator"
    assert dlg.display_name.text() == "Ann Changed Elsewhere" and "Not saved yet" in dlg.error_label.text()
    assert accounts.get_account(state.ctx, ann.id).role is Role.VIEWER  # nothing overwritten
    dlg.role.set_value("coordinator")
    dlg._on_ok()
    assert accounts.get_account(state.ctx, ann.id).role is Role.COORDINATOR


def test_conflict_dialog_marks_the_differences(qtbot, qtmodeltester):
    import datetime as dt

    from ui.common.conflict import KEEP_EDITING, RELOAD, ConflictDialog

    err = ConflictError("This theme was changed by Bob at 01/02/2026 10:00 after you opened it.",
                        changed_by="Bob", changed_at=dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC))
    dlg = ConflictDialog(err, {"name": "Mine", "active": True}, {"name": "Theirs", "active": True},
                         {"name": "Name"})
    qtbot.addWidget(dlg)
    qtmodeltester.check(dlg.table.model(), force_py=False)
    assert dlg.differences == ["name"]
    rows = [[dlg.table.item(r, c).text() for c in range(4)] for r in range(dlg.table.rowCount())]
    assert rows == [["Name", "Mine", "Theirs", "Differs"], ["Active", "Yes", "Yes", ""]]
    assert dlg.choice == KEEP_EDITING
    dlg.reload_button.click()
    assert dlg.choice == RELOAD and dlg.result() == QDialog.DialogCode.Accepted
    assert _unnamed_controls(dlg) == []


def test_admin_audit_log_filters_verifies_and_exports(qtbot, window, state, interaction, tmp_path):
    _sign_in_admin(state)
    tab = window.show_section("admin").show_tab("audit")
    assert _unnamed_controls(tab) == []
    tab.action_box.setCurrentIndex(tab.action_box.findData("sign_in"))
    rows = tab.page.list.model.loaded_rows()
    assert rows and {r["action"] for r in rows} == {"sign_in"}
    tab.date_from.setText("01/01/2000")
    tab.date_to.setText("31/12/2001")
    tab.apply_dates()
    assert tab.page.list.model.total == 0
    tab.date_to.setText("not a date")
    tab.apply_dates()
    assert any("not a date" in str(e) for e in interaction.errors)
    tab.date_from.setText("")
    tab.date_to.setText("")
    tab.apply_dates()
    assert tab.page.list.model.total == len(rows)
    tab.verify()
    assert "intact" in tab.status.text()
    out = tmp_path / "audit.xlsx"
    interaction.answers["save_file"] = str(out)
    tab.export()
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)} == {"sign_in"}
    assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text


def test_admin_backups_back_up_and_restore(qtbot, window, state, interaction, tmp_path):
    from ui.admin.backup_actions import backup_now, restore

    _sign_in_admin(state)
    tab = window.show_section("admin").show_tab("backups")
    assert _unnamed_controls(tab) == []
    target = state.ctx.paths.backup_dir / "by-hand.sqlite3"
    interaction.answers["save_file"] = str(target)
    backup_now(state, tab)
    assert target.exists()
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "by-hand.sqlite3"
    assert "Never removed automatically" in tab.table.item(0, 4).text()
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("not a database")
    assert not restore(state, tab, str(bad))
    assert any("not a Lived Experience backup" in str(e) for e in interaction.errors)
    interaction.answers["confirm"] = True
    tab.table.selectRow(0)
    assert tab.selected_path() == target
    assert restore(state, tab, str(target))
    assert not window.isVisible()  # everyone signs in again to the restored records
    assert any("before-restore-" in m for _k, m in interaction.messages)


def test_admin_data_protection(qtbot, window, state, interaction, tmp_path):
    _sign_in_admin(state)
    tab = window.show_section("admin").show_tab("data_protection")
    assert _unnamed_controls(tab) == []
    lst = tab.page.list
    row = lst.model.row_at(0)
    lst.table.selectRow(0)
    lst.table.setCurrentIndex(lst.model.index(0, 0))
    interaction.answers["save_file"] = str(tmp_path / "sar" / "x.xlsx")
    tab.subject_access()
    files = sorted(p.suffix for p in (tmp_path / "sar").iterdir())
    assert files == [".pdf", ".xlsx"]
    interaction.answers["confirm"] = True
    tab.erase()
    assert any(f"Person {row['id']} has been anonymised" in m for _k, m in interaction.messages)
    tab.run_retention()
    assert any("records" in m for _k, m in interaction.messages[-2:])


def test_other_roles_see_the_services_refusal_in_admin(qtbot, demo_ctx, interaction):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.attach(AppState(as_role(demo_ctx, "coordinator"), interaction))
    page = w.show_section("admin")
    for key, words in (("staff", "manage staff accounts"), ("audit", "see the audit log"),
                       ("data_protection", "retention, erasure and subject access")):
        labels = [lbl.text() for lbl in page.tab(key).findChildren(type(w.loading))]
        assert any(words in t for t in labels), key
    assert not page.tab("backups").backup_button.isEnabled()
    assert interaction.errors == []


def test_read_only_banner_leads_to_the_backups(qtbot, window, state):
    from lived_experience.maintenance.readonly import mark_read_only
    from ui.security.session import start_session

    _sign_in_admin(state)
    mark_read_only(state.ctx.db, "a check at start-up found damage in the database file")
    session = start_session(window, state)
    assert session.banner is not None and session.banner.isVisible()
    assert not session.change_password_action.isEnabled()
    session.open_backups()
    page = window.pages["admin"]
    assert page.tabs.currentIndex() == page.TAB_KEYS.index("backups")


def test_a_damaged_database_is_checked_while_signing_in_and_opens_read_only(qtbot, sqlite_ctx, interaction,
                                                                            monkeypatch):
    """The start-up check of the file runs while the sign-in dialog waits for the password; the window then
    opens read-only, with the banner, and a change is refused."""
    from lived_experience.core.context import SYSTEM
    from lived_experience.maintenance import readonly
    from tests.maintenance.test_restore import _damage
    from ui.security import signin
    from ui.shell.main_window import MainWindow
    from ui.startup import attach_services

    accounts.create_first_admin(sqlite_ctx, "boss", "Pat Boss", PW)
    sqlite_ctx.actor = SYSTEM
    _damage(sqlite_ctx)

    def sign_in(dlg):
        dlg.username.setText("boss")
        dlg.password.setText(PW)
        dlg.try_sign_in()
        assert dlg.result(), dlg.message.text()
        return dlg.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", sign_in)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    state = attach_services(w, sqlite_ctx, interaction)
    assert state.ctx.actor.username == "boss"
    assert readonly.is_read_only(sqlite_ctx.db)
    assert w.session.banner is not None and w.session.banner.isVisible()
    from PySide6.QtWidgets import QLabel

    texts = [label.text() for label in w.session.banner.findChildren(QLabel)]
    assert any(t.startswith("READ-ONLY: a check at start-up found damage") for t in texts), texts
    w.close()


# -- crashes -------------------------------------------------------------------------------------
def test_the_crash_hook_logs_the_traceback_and_shows_copyable_details(qtbot, tmp_path, monkeypatch):
    import logging

    from lived_experience.core.logs import setup_logging
    from ui import crash

    log_path = setup_logging(tmp_path / "logs")
    shown = []
    monkeypatch.setattr(crash.CrashDialog, "exec", lambda dlg: shown.append(dlg) or 0)
    warned = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a: warned.append(a[-1]))
    previous = sys.excepthook
    try:
        crash.install_excepthook(str(log_path))
        try:
            raise RuntimeError("boom while saving ada@example.org")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        try:
            raise UserError("That file is not a spreadsheet.")
        except UserError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    for h in logging.getLogger().handlers:
        h.flush()
    assert len(shown) == 1
    details = shown[0].details.toPlainText()
    assert "RuntimeError" in details and "ada@example.org" not in details
    from PySide6.QtWidgets import QPushButton

    copy = next(b for b in shown[0].findChildren(QPushButton) if b.text() == "Copy details")
    copy.click()
    assert "RuntimeError" in QApplication.clipboard().text()
    assert warned == ["That file is not a spreadsheet."]
    text = log_path.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError" in text and "ada@example.org" not in text
    assert "That file is not a spreadsheet" not in text  # user errors are messages, not crashes
