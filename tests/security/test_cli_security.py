"""The security commands, run as the real program: create-user, audit verify/export, sign-in rules."""

from __future__ import annotations

import sqlite3

import openpyxl
import pytest

from tests.cli.helpers import run_cli

PW = "demo-password-1"
ADMIN = {"LIVED_EXPERIENCE_USER": "admin", "LIVED_EXPERIENCE_PASSWORD": PW}
VIEWER = {"LIVED_EXPERIENCE_USER": "viewer", "LIVED_EXPERIENCE_PASSWORD": PW}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("sec-cli")
    done = run_cli("demo", home=home, env={"LIVED_EXPERIENCE_PASSWORD": PW})
    assert done.returncode == 0, done.stderr
    return home


def _db(home):
    return home / "data" / "lived-experience.sqlite3"


def test_create_user_on_a_fresh_database(tmp_path):
    done = run_cli("create-user", "boss", "--role", "admin", home=tmp_path)
    assert done.returncode == 2 and "Password required" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("create-user", "boss", "--role", "coordinator", home=tmp_path,
                   env={"LIVED_EXPERIENCE_PASSWORD": "first-password-1"})
    assert done.returncode == 2 and "first account must be an administrator" in done.stderr
    done = run_cli("create-user", "boss", "--role", "admin", "--display-name", "Pat Boss", home=tmp_path,
                   env={"LIVED_EXPERIENCE_PASSWORD": "first-password-1"})
    assert done.returncode == 0, done.stderr
    assert "Account 'boss' created (Admin)" in done.stdout
    # Local set-up has ended: a second account needs an administrator signed in.
    done = run_cli("create-user", "ann", "--role", "viewer", home=tmp_path,
                   env={"LIVED_EXPERIENCE_PASSWORD": "ann-password-12"})
    assert done.returncode == 2 and "Sign-in required" in done.stderr
    done = run_cli("create-user", "ann", "--role", "viewer", home=tmp_path,
                   env={"LIVED_EXPERIENCE_USER": "boss", "LIVED_EXPERIENCE_PASSWORD": "first-password-1",
                        "LIVED_EXPERIENCE_NEW_PASSWORD": "ann-password-12"})
    assert done.returncode == 0, done.stderr
    done = run_cli("list", "staff", "--json", home=tmp_path,
                   env={"LIVED_EXPERIENCE_USER": "ann", "LIVED_EXPERIENCE_PASSWORD": "ann-password-12"})
    assert done.returncode == 2 and "does not allow you to manage staff accounts" in done.stderr
    done = run_cli("list", "staff", home=tmp_path, env={"LIVED_EXPERIENCE_USER": "boss"}, input_="")
    assert done.returncode == 2 and "Password required" in done.stderr


def test_a_wrong_password_is_refused_with_exit_2(demo_home):
    done = run_cli("list", "windows", home=demo_home,
                   env={"LIVED_EXPERIENCE_USER": "admin", "LIVED_EXPERIENCE_PASSWORD": "wrong-password"})
    assert done.returncode == 2 and "user name or password is not right" in done.stderr


def test_roles_on_the_command_line(demo_home):
    done = run_cli("create-user", "newbie", "--role", "viewer", home=demo_home,
                   env={**VIEWER, "LIVED_EXPERIENCE_NEW_PASSWORD": "newbie-password"})
    assert done.returncode == 2 and "manage staff accounts" in done.stderr
    done = run_cli("audit", "verify", home=demo_home, env=VIEWER)
    assert done.returncode == 2 and "see the audit log" in done.stderr
    done = run_cli("audit", "export", "--output", str(demo_home / "a.xlsx"), home=demo_home, env=VIEWER)
    assert done.returncode == 2 and not (demo_home / "a.xlsx").exists()


def test_audit_export_is_a_marked_workbook_and_is_itself_audited(demo_home, tmp_path):
    out = tmp_path / "audit.xlsx"
    done = run_cli("audit", "export", "--output", str(out), "--action", "sign_in", home=demo_home, env=ADMIN)
    assert done.returncode == 0, done.stderr
    assert "hash chain intact" in done.stdout
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["Event", "When", "Who", "Action"] and "Hash" in headers
    actions = {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
    assert actions == {"sign_in"}
    assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text and wb.properties.keywords == "OFFICIAL-SENSITIVE"
    about = wb["About this export"]
    assert about["A1"].value == "OFFICIAL-SENSITIVE"
    con = sqlite3.connect(_db(demo_home))
    row = con.execute("SELECT actor_name, detail FROM audit_event WHERE action = 'export' "
                      "ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    assert row[0] == "admin" and str(out) in row[1]


def test_audit_verify_finds_a_changed_and_a_deleted_event(tmp_path, demo_home):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    done = run_cli("audit", "verify", home=home, env=ADMIN)
    assert done.returncode == 0, done.stderr
    assert "Audit log intact" in done.stdout
    con = sqlite3.connect(_db(home))
    con.execute("DROP TRIGGER audit_event_no_update")
    con.execute("DROP TRIGGER audit_event_no_early_delete")
    con.execute("UPDATE audit_event SET actor_name = 'nobody' WHERE id = 3")
    con.execute("DELETE FROM audit_event WHERE id = 6")
    con.commit()
    con.close()
    done = run_cli("audit", "verify", home=home, env=ADMIN)
    assert done.returncode == 2
    assert "event 3: its contents were changed" in done.stdout
    assert "event 7: the event before it was changed or deleted" in done.stdout
    assert "3, 7" in done.stderr


def test_deleting_the_start_of_the_log_is_caught(tmp_path, demo_home):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    con = sqlite3.connect(_db(home))
    con.execute("DROP TRIGGER audit_event_no_early_delete")
    con.execute("DELETE FROM audit_event WHERE id <= 2")
    con.commit()
    con.close()
    done = run_cli("audit", "verify", home=home, env=ADMIN)
    assert done.returncode == 2
    assert "event 3: the events before it were deleted" in done.stdout


def test_erase_needs_yes(demo_home):
    done = run_cli("erase", "1", home=demo_home, env=ADMIN)
    assert done.returncode == 2 and "--yes" in done.stderr
    done = run_cli("erase", "99999", "--yes", home=demo_home, env=ADMIN)
    assert done.returncode == 2 and "no person with id 99999" in done.stderr
    done = run_cli("subject-access", "1", "--output", "/tmp/x", home=demo_home,
                   env={"LIVED_EXPERIENCE_USER": "coordinator", "LIVED_EXPERIENCE_PASSWORD": PW})
    assert done.returncode == 2 and "retention, erasure and subject access" in done.stderr
