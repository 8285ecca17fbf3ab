"""The optional encrypted database (SQLCipher): no plain text on disk, a passphrase at start-up,
encrypted backups that restore, and the start-up check that still works."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlcipher3")

from db.engine import open_database  # noqa: E402
from lived_experience.core.context import AppContext  # noqa: E402
from lived_experience.core.errors import UserError  # noqa: E402
from lived_experience.core.uow import unit_of_work  # noqa: E402
from lived_experience.maintenance import encryption  # noqa: E402
from lived_experience.maintenance.backups import automatic_backup_if_due  # noqa: E402
from lived_experience.maintenance.health import check_health, open_read_only_if_damaged  # noqa: E402
from lived_experience.maintenance.restore import restore_from  # noqa: E402
from tests.cli.helpers import run_cli  # noqa: E402
from tests.security import helpers as h  # noqa: E402

PASS = "three unrelated words"


@pytest.fixture
def encrypted(sqlite_ctx, tmp_path):
    h.canary_person(sqlite_ctx)
    sqlite_ctx.db.dispose()
    path = encryption.encrypt_copy(sqlite_ctx.db.sqlite_path, tmp_path / "enc.sqlite3", PASS)
    url = encryption.resolve_database_arg(f"sqlite:///{path}", ask=lambda: PASS)
    ctx = AppContext(db=open_database(url), paths=sqlite_ctx.paths)
    yield ctx
    ctx.db.dispose()


def _count_people(ctx):
    from sqlalchemy import func, select

    import db.models as m

    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(m.Person.id)))


def test_the_encrypted_file_holds_no_plain_text_and_opens_with_the_passphrase(encrypted):
    path = encrypted.db.sqlite_path
    assert encryption.looks_encrypted(path)
    assert h.CANARY_EMAIL.encode() not in path.read_bytes()
    assert _count_people(encrypted) == 1
    h.person(encrypted, "New", "Person")  # writing works, through the same migrations and triggers
    assert _count_people(encrypted) == 2
    assert check_health(encrypted).healthy
    assert open_read_only_if_damaged(encrypted) is None  # the start-up check reads it with the key


def test_a_wrong_or_missing_passphrase_is_refused(encrypted):
    path = encrypted.db.sqlite_path
    with pytest.raises(UserError, match="does not open this database"):
        encryption.resolve_database_arg(f"sqlite:///{path}", ask=lambda: "not the passphrase")
    with pytest.raises(UserError, match="Passphrase required"):
        encryption.resolve_database_arg(f"sqlite:///{path}", ask=lambda: None)
    with pytest.raises(UserError, match="at least 12"):
        encryption.encrypt_copy(path, path.with_name("x.sqlite3"), "short")


def test_backups_of_an_encrypted_database_are_encrypted_and_restore(encrypted):
    made = automatic_backup_if_due(encrypted)
    assert encryption.looks_encrypted(made.path)
    assert h.CANARY_EMAIL.encode() not in made.path.read_bytes()
    assert encryption.integrity_problems(made.path, PASS) == []
    h.person(encrypted, "After", "Backup")
    result = restore_from(encrypted, made.path)
    assert _count_people(encrypted) == 1
    assert encryption.looks_encrypted(result.safety_copy)


def test_the_command_line_asks_for_the_passphrase(tmp_path):
    pw = {"LIVED_EXPERIENCE_PASSWORD": "demo-password-1"}
    admin = {**pw, "LIVED_EXPERIENCE_USER": "admin"}
    assert run_cli("demo", home=tmp_path, env=pw).returncode == 0
    out = tmp_path / "enc.sqlite3"
    done = run_cli("encrypt", "--output", str(out), home=tmp_path, env=admin)
    assert done.returncode == 2 and "Passphrase required" in done.stderr
    done = run_cli("encrypt", "--output", str(out), home=tmp_path,
                   env={**admin, encryption.PASSPHRASE_ENV: PASS})
    assert done.returncode == 0, done.stderr
    done = run_cli("--database", str(out), "list", "windows", home=tmp_path, env=admin)
    assert done.returncode == 2 and "Passphrase required" in done.stderr
    done = run_cli("--database", str(out), "list", "windows", "--json", home=tmp_path,
                   env={**admin, encryption.PASSPHRASE_ENV: PASS})
    assert done.returncode == 0 and '"name"' in done.stdout


def test_the_window_asks_for_the_passphrase(qtbot, encrypted, monkeypatch):
    from ui.security import passphrase

    class Args:
        database = str(encrypted.db.sqlite_path)

    def type_it(dlg):
        qtbot.addWidget(dlg)
        dlg.passphrase.setText(PASS)
        return passphrase.QDialog.DialogCode.Accepted

    monkeypatch.setattr(passphrase.PassphraseDialog, "exec", type_it)
    url = passphrase.database_for_window(Args, encrypted.paths)
    assert encryption.passphrase_of(url) == PASS
    monkeypatch.setattr(passphrase.PassphraseDialog, "exec", lambda dlg: passphrase.QDialog.DialogCode.Rejected)
    with pytest.raises(UserError, match="Passphrase required"):
        passphrase.database_for_window(Args, encrypted.paths)
