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


def test_backup_into_a_folder_that_is_not_there_is_refused_not_created(demo_home, tmp_path):
    out = tmp_path / "no-such-folder" / "copy.sqlite3"
    done = run_cli("backup", "--output", str(out), home=demo_home)
    assert done.returncode == 2 and "does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not out.parent.exists()


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


# -- the README is the contract: its JSON keys are exactly what `list --json` prints ------------------------
def _readme_keys() -> dict[str, set[str]]:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### `list` JSON keys", 1)[1].split("\n## ", 1)[0]
    out = {}
    for kind, keys in re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.M):
        # Keys are the code spans; words in brackets between them are notes.
        spans = re.findall(r"`([^`]*)`", keys)
        out[kind] = {k.strip() for span in spans for k in span.split(",") if re.fullmatch(r"\s*[a-z_]+\s*", k)}
    return out


@pytest.mark.parametrize("kind", ["windows", "applicants", "members", "meetings", "feedback", "services", "dbs",
                                  "expenses", "cycles", "decisions", "visits", "themes"])
def test_the_readme_documents_exactly_the_json_keys(demo_home, kind):
    documented = _readme_keys()[kind]
    rows = run_json("list", kind, "--json", "--limit", "3", home=demo_home)
    assert rows
    for row in rows:
        assert set(row) == documented, f"{kind}: README lacks {set(row) - documented}, has extra {documented - set(row)}"


def _one_plain_line(done) -> str:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_an_unknown_sort_key_is_refused_with_the_ones_there_are(demo_home):
    done = run_cli("list", "members", "--sort", "colour", home=demo_home)
    assert done.returncode == 2
    line = _one_plain_line(done)
    assert "cannot be sorted by 'colour'" in line and "term_end" in line


def test_database_pointing_at_a_folder_is_refused(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for command in (["list", "windows"], ["check"], ["demo"]):
        done = run_cli("--database", str(folder), *command, home=tmp_path)
        assert done.returncode == 2
        assert "is a folder" in _one_plain_line(done)
    assert list(folder.iterdir()) == []


def test_database_inside_a_file_or_an_unmakeable_folder_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a folder")
    done = run_cli("--database", str(text / "x.sqlite3"), "list", "windows", home=tmp_path)
    assert done.returncode == 2 and "is a file, not a folder" in _one_plain_line(done)
    # /proc takes no new folders, even from root: a read-only place for the database.
    done = run_cli("--database", "/proc/lived-experience-test/x.sqlite3", "list", "windows", home=tmp_path)
    assert done.returncode == 2 and "cannot be made" in _one_plain_line(done)
    done = run_cli("--database", "sqlite:////proc/lived-experience-test/x.sqlite3", "demo", home=tmp_path)
    assert done.returncode == 2 and "cannot be made" in _one_plain_line(done)


def test_check_on_a_text_file_is_a_plain_refusal(tmp_path):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are my notes, not a database\n" * 100)
    done = run_cli("--database", str(bogus), "check", home=tmp_path)
    assert done.returncode == 2
    assert "not a Lived Experience database" in _one_plain_line(done)
    assert bogus.read_text().startswith("these are my notes")


@pytest.fixture(scope="module")
def damaged_copy(demo_home, tmp_path_factory):
    """A copy of the demo database with the feedback table's first page overwritten."""
    folder = tmp_path_factory.mktemp("damaged")
    copy = folder / "damaged.sqlite3"
    done = run_cli("backup", "--output", str(copy), home=demo_home)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(copy)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'feedback_item'").fetchone()[0]
    conn.close()
    with open(copy, "r+b") as f:
        f.seek(page * (root - 1))
        f.write(b"\x55" * page)
    return copy


def test_check_on_a_damaged_file_reports_it_and_exits_2(damaged_copy, tmp_path):
    before = damaged_copy.read_bytes()
    done = run_cli("--database", str(damaged_copy), "check", home=tmp_path)
    assert done.returncode == 2
    assert "Integrity: FAILED" in done.stdout and "Healthy" not in done.stdout
    line = _one_plain_line(done)
    assert "not healthy" in line and "restore" in line
    # Nothing but SQLite's own file header (the journal mode, the change counter) is touched.
    assert damaged_copy.read_bytes()[100:] == before[100:]


def test_a_damaged_file_opens_read_only_and_says_so_once(damaged_copy, tmp_path):
    # The windows are on undamaged pages: listed, with the warning.
    done = run_cli("--database", str(damaged_copy), "list", "windows", "--json", home=tmp_path)
    assert done.returncode == 0
    assert len(json.loads(done.stdout)) == 3
    assert "damaged and open read-only" in _one_plain_line(done)
    # The feedback is not: one line, exit 2.
    done = run_cli("--database", str(damaged_copy), "list", "feedback", home=tmp_path)
    assert done.returncode == 2
    line = _one_plain_line(done)
    assert "damaged" in line and "restore" in line


def test_check_needs_no_sign_in_but_list_does(tmp_path):
    done = run_cli("demo", home=tmp_path, env={"LIVED_EXPERIENCE_PASSWORD": "a long demo password"})
    assert done.returncode == 0, done.stderr
    done = run_cli("check", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Healthy." in done.stdout
    done = run_cli("list", "members", home=tmp_path)
    assert done.returncode == 2 and "Sign-in required" in _one_plain_line(done)


@pytest.mark.parametrize("args", [
    ["list", "members", "--limit", "0"],
    ["list", "members", "--filter", "nonsense"],
    ["demo", "--scale", "0"],
    ["backup"],
    ["export-panel-report", "--from", "31/02/2026", "--to", "01/03/2026", "--output", "x.pdf"],
    ["export-panel-report", "--from", "01/03/2026", "--to", "01/02/2026", "--output", "x.pdf"],
    ["export-representativeness", "--output", "x.txt"],
    ["export-representativeness", "--output", "x.pdf", "--window", "999"],
    ["--database", "mysql://someone@somewhere/db", "list", "windows"],
])
def test_more_bad_input_is_one_line_and_exit_2(demo_home, args):
    done = run_cli(*args, home=demo_home)
    assert done.returncode == 2, done.stderr
    _one_plain_line(done)


def test_demo_twice_is_refused_in_one_line_and_changes_nothing(demo_home):
    before = run_json("list", "applicants", "--json", home=demo_home)
    done = run_cli("demo", "--seed", "99", home=demo_home)
    assert done.returncode == 2
    assert "already has records" in _one_plain_line(done)
    assert run_json("list", "applicants", "--json", home=demo_home) == before


def test_an_unexpected_error_is_exit_1_with_the_traceback_in_the_log_only(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    assert run_cli("list", "windows", home=tmp_path).returncode == 0  # the database exists
    root = Path(__file__).resolve().parents[2]
    code = (f"import sys; sys.path.insert(0, {str(root)!r})\n"
            "import lived_experience.cli.commands.check as check\n"
            "def broken(args, rt):\n"
            "    raise ZeroDivisionError('a bug, not the user')\n"
            "check.run = broken\n"
            "import main\n"
            "sys.exit(main.main(['check']))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    env["LIVED_EXPERIENCE_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    line = _one_plain_line(done)
    assert "Something went wrong (ZeroDivisionError)" in line and "lived-experience.log" in line
    log = next((tmp_path / "logs").glob("*.log")).read_text(encoding="utf-8")
    assert "Traceback" in log and "ZeroDivisionError" in log
