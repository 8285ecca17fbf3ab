"""The command-line contract: commands, JSON keys, exit codes and messages."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.helpers import run_cli, run_json


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli-home")
    done = run_cli("demo", "--seed", "7", home=home)
    assert done.returncode == 0, done.stderr
    assert "Demo data added" in done.stdout
    return home


def test_help_lists_the_commands(tmp_path):
    done = run_cli("--help", home=tmp_path)
    assert done.returncode == 0
    for cmd in ("gui", "demo", "list", "check", "backup"):
        assert cmd in done.stdout


@pytest.mark.parametrize("kind,keys", [
    ("windows", {"id", "name", "status", "opens_on", "closes_on", "places"}),
    ("applicants", {"id", "name", "window", "stage", "area", "residence", "received_at"}),
    ("members", {"id", "name", "term_start", "term_end", "status", "dbs_status"}),
    ("meetings", {"id", "title", "type", "starts_at", "ends_at", "status"}),
    ("feedback", {"id", "summary", "status", "services", "rights", "cycle", "stage", "source_meeting"}),
    ("services", {"id", "name", "kind", "contract_end", "current_stage"}),
])
def test_list_json_has_stable_keys(demo_home, kind, keys):
    rows = run_json("list", kind, "--json", home=demo_home)
    assert rows, f"no {kind}"
    for row in rows:
        assert keys <= set(row), f"{kind} lacks {keys - set(row)}"
        assert isinstance(row["id"], int)


def test_list_json_values_use_iso_dates_and_offsets(demo_home):
    meetings = run_json("list", "meetings", "--json", home=demo_home)
    start = meetings[0]["starts_at"]
    assert start[10] == "T" and (start.endswith("+00:00") or start.endswith("+01:00"))
    members = run_json("list", "members", "--json", home=demo_home)
    assert all(len(m["term_start"]) == 10 and m["term_start"][4] == "-" for m in members)
    feedback = run_json("list", "feedback", "--json", home=demo_home)
    assert all(isinstance(f["rights"], list) and all(isinstance(r, int) for r in f["rights"]) for f in feedback)


def test_list_as_a_table_uses_uk_dates(demo_home):
    done = run_cli("list", "members", home=demo_home)
    assert done.returncode == 0
    assert "Term starts" in done.stdout
    import re

    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", done.stdout)


def test_list_filter_and_search(demo_home):
    shortlisted = run_json("list", "applicants", "--json", "--filter", "stage=shortlisted", home=demo_home)
    assert shortlisted and all(r["stage"] == "shortlisted" for r in shortlisted)
    done = run_cli("list", "applicants", "--filter", "colour=blue", home=demo_home)
    assert done.returncode == 2 and "cannot be filtered by 'colour'" in done.stderr


def test_demo_refuses_a_database_that_is_not_empty(demo_home):
    done = run_cli("demo", home=demo_home)
    assert done.returncode == 2
    assert "already has records" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_reports_a_healthy_database(demo_home):
    done = run_cli("check", home=demo_home)
    assert done.returncode == 0, done.stderr
    from db.schema_version import HEAD_REVISION

    assert "Integrity: ok" in done.stdout and HEAD_REVISION in done.stdout


def test_backup_is_integrity_checked_and_usable(demo_home, tmp_path):
    out = tmp_path / "copy.sqlite3"
    done = run_cli("backup", "--output", str(out), home=demo_home)
    assert done.returncode == 0, done.stderr
    assert "checked" in done.stdout
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] > 50
    conn.close()
    # The copy opens as a database of its own.
    rows = run_json("--database", str(out), "list", "windows", "--json", home=tmp_path / "other")
    assert len(rows) == 3


def test_backup_refuses_to_overwrite_the_database(demo_home):
    db = demo_home / "data" / "lived-experience.sqlite3"
    done = run_cli("backup", "--output", str(db), home=demo_home)
    assert done.returncode == 2 and "cannot overwrite" in done.stderr


@pytest.mark.parametrize("args,needle", [
    (["list"], "the following arguments are required"),
    (["list", "shoe_shops"], "There is no list called 'shoe_shops'"),
    (["demo", "--scale", "abc"], "invalid int value"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_are_one_plain_line_and_exit_2(tmp_path, args, needle):
    done = run_cli(*args, home=tmp_path)
    assert done.returncode == 2
    assert needle.lower() in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_a_database_is_refused_plainly(tmp_path):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are my notes, not a database\n" * 100)
    done = run_cli("--database", str(bogus), "list", "windows", home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "not a Lived Experience database" in done.stderr
    assert "Traceback" not in done.stderr
    assert bogus.read_text().startswith("these are my notes")


def test_check_on_a_missing_database_is_a_user_error(tmp_path):
    done = run_cli("--database", str(tmp_path / "nope.sqlite3"), "check", home=tmp_path)
    assert done.returncode == 2 and "There is no database" in done.stderr
    assert not (tmp_path / "nope.sqlite3").exists()


def test_unreachable_postgresql_is_a_user_error(tmp_path):
    done = run_cli("--database", "postgresql+psycopg://nobody@127.0.0.1:1/nothing", "list", "windows",
                   home=tmp_path)
    assert done.returncode == 2
    assert "Cannot connect" in done.stderr


def test_database_url_from_the_environment(tmp_path):
    target = tmp_path / "env.sqlite3"
    done = run_cli("demo", home=tmp_path, env={"LIVED_EXPERIENCE_DATABASE_URL": f"sqlite:///{target}"})
    assert done.returncode == 0, done.stderr
    assert target.exists()


def test_the_same_program_through_the_console_script(demo_home):
    import shutil
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("lived-experience")
    if not exe.exists():
        exe = shutil.which("lived-experience")
    assert exe, "the lived-experience console script is installed with the package"
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    env["LIVED_EXPERIENCE_HOME"] = str(demo_home)
    done = subprocess.run([str(exe), "list", "windows", "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3


def test_demo_on_postgresql(pg_server, tmp_path):
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("CREATE DATABASE cli_demo"))
    admin.dispose()
    url = pg_server.url("cli_demo")
    done = run_cli("--database", url, "demo", home=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = run_json("--database", url, "list", "applicants", "--json", home=tmp_path)
    assert len(rows) >= 60
    assert run_cli("--database", url, "check", home=tmp_path).returncode == 0
