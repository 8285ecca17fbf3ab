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


def _read_until(fd: int, wanted: str, timeout: float = 60) -> str:
    import os
    import select
    import time

    seen = b""
    end = time.monotonic() + timeout
    while wanted.encode() not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has gone and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode("utf-8", "replace")


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(demo_home):
    import os
    import pty
    import sys

    from tests.cli.helpers import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    env.update(LIVED_EXPERIENCE_HOME=str(demo_home), LIVED_EXPERIENCE_USER="admin")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real program, with the terminal as its own
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, str(ROOT / "main.py"), "list", "windows"], env)
    try:
        prompt = _read_until(fd, "Password for admin:")
        assert "Password for admin:" in prompt
        os.write(fd, (PW + "\n").encode())
        rest = _read_until(fd, "\x00never")  # everything until the program ends
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, rest
    assert PW not in rest  # typed without echo
    assert "Lived Experience Group" in rest and "Status" in rest  # signed in: the list came out
