"""The command line: ``list members --json`` and ``purge [--dry-run] [--json]``, as a user runs them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.helpers import run_cli, run_json

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("members-cli")
    done = run_cli("demo", home=home, env={"LIVED_EXPERIENCE_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    # A disclosure decided long ago whose detail is still held: the purge must remove it.
    db = sqlite3.connect(home / "data" / "lived-experience.sqlite3")
    db.execute("UPDATE dbs_check SET disclosure_detail = 'Old detail', disclosure_summary = 'Accepted', "
               "decision_on = '2020-01-01' WHERE id = (SELECT min(id) FROM dbs_check WHERE decision IS NOT NULL)")
    db.commit()
    db.close()
    return home


def as_user(name):
    return {"LIVED_EXPERIENCE_USER": name, "LIVED_EXPERIENCE_PASSWORD": PASSWORD}


def test_list_members_json_has_the_documented_keys(home):
    rows = run_json("list", "members", "--json", home=home, env=as_user("coordinator"))
    assert len(rows) >= 10
    for r in rows:
        assert {"id", "name", "term_start", "term_end", "status", "dbs_status", "days_remaining", "access",
                "quiet_until", "term_id"} <= set(r)
        assert r["status"] in ("upcoming", "active", "ending_soon", "ended", "paused", "stepped_down", "removed")
        assert r["dbs_status"] in ("cleared", "recheck_due", "renewal_in_progress", "awaiting_decision",
                                   "requested", "not_accepted", "none")
    viewer = run_json("list", "members", "--json", home=home, env=as_user("viewer"))
    assert viewer and all("dbs_status" not in r for r in viewer)


def test_purge_is_refused_to_a_coordinator_plainly(home):
    done = run_cli("purge", "--dry-run", home=home, env=as_user("coordinator"))
    assert done.returncode == 2
    assert "does not allow you to run retention" in done.stderr and "Traceback" not in done.stderr


def test_purge_dry_run_changes_nothing_then_purge_removes_the_detail(home):
    db_path = home / "data" / "lived-experience.sqlite3"

    def held():
        db = sqlite3.connect(db_path)
        n = db.execute("SELECT count(*) FROM dbs_check WHERE disclosure_detail IS NOT NULL").fetchone()[0]
        db.close()
        return n

    assert held() >= 1
    dry = run_json("purge", "--dry-run", "--json", home=home, env=as_user("admin"))
    assert dry["dry_run"] is True
    jobs = {j["job"]: j for j in dry["jobs"]}
    assert set(jobs["dbs_disclosure"]) == {"job", "description", "affected", "ids"}
    assert jobs["dbs_disclosure"]["affected"] == 1 and len(jobs["dbs_disclosure"]["ids"]) == 1
    assert held() >= 1
    text = run_cli("purge", "--dry-run", home=home, env=as_user("admin"))
    assert text.returncode == 0 and "Dry run: nothing was changed." in text.stdout
    assert "dbs_disclosure: 1 record would change" in text.stdout
    done = run_cli("purge", "--json", home=home, env=as_user("admin"))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["dry_run"] is False
    assert next(j for j in result["jobs"] if j["job"] == "dbs_disclosure")["affected"] == 1
    db = sqlite3.connect(db_path)
    row = db.execute("SELECT disclosure_detail, disclosure_summary, disclosure_purged_at FROM dbs_check "
                     "WHERE id = ?", (jobs["dbs_disclosure"]["ids"][0],)).fetchone()
    audit = [r[0] for r in db.execute("SELECT action FROM audit_event WHERE action LIKE 'retention%' "
                                      "OR action = 'dbs.disclosure_purged' ORDER BY id")]
    db.close()
    assert row[0] is None and row[1] == "Accepted" and row[2] is not None
    assert audit.count("retention.purge") == 3 and "dbs.disclosure_purged" in audit
    again = run_json("purge", "--dry-run", "--json", home=home, env=as_user("admin"))
    assert next(j for j in again["jobs"] if j["job"] == "dbs_disclosure")["affected"] == 0


@pytest.mark.parametrize("days_ago,removed", [(182, False), (183, False), (184, True)])
def test_the_command_line_purge_keeps_detail_six_months_after_the_decision(home, tmp_path, days_ago, removed):
    """Decided 182 or 183 days ago: kept; 184 days ago: removed, the summary stays."""
    import datetime as dt
    import shutil

    from lived_experience.core import clock

    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    db_path = copy / "data" / "lived-experience.sqlite3"
    decided = clock.today() - dt.timedelta(days=days_ago)
    db = sqlite3.connect(db_path)
    db.execute("UPDATE dbs_check SET disclosure_detail = NULL")
    check_id = db.execute("SELECT min(id) FROM dbs_check WHERE decision IS NOT NULL").fetchone()[0]
    db.execute("UPDATE dbs_check SET disclosure_detail = 'Caution, 2009', disclosure_summary = 'Accepted', "
               "decision = 'clear_with_disclosure', decision_on = ? WHERE id = ?", (decided.isoformat(), check_id))
    db.commit()
    db.close()
    dry = run_json("purge", "--dry-run", "--json", home=copy, env=as_user("admin"))
    job = next(j for j in dry["jobs"] if j["job"] == "dbs_disclosure")
    assert (job["affected"], job["ids"]) == ((1, [check_id]) if removed else (0, []))
    assert run_cli("purge", home=copy, env=as_user("admin")).returncode == 0
    db = sqlite3.connect(db_path)
    detail, summary = db.execute("SELECT disclosure_detail, disclosure_summary FROM dbs_check WHERE id = ?",
                                 (check_id,)).fetchone()
    db.close()
    assert summary == "Accepted"
    assert (detail is None) is removed


def test_export_finance_writes_the_workbook_finance_gets_from_the_window(home, tmp_path):
    import openpyxl

    out = tmp_path / "finance.xlsx"
    done = run_cli("export-finance", "--output", str(out), "--status", "approved", "--status", "paid",
                   home=home, env=as_user("coordinator"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Finance workbook written to") and "£" in done.stdout
    wb = openpyxl.load_workbook(out)
    claims = wb[wb.sheetnames[0]]
    header = [c.value for c in claims[1]]
    status_col = next(i for i, h in enumerate(header) if str(h).lower() == "status")
    statuses = {row[status_col] for row in claims.iter_rows(min_row=2, values_only=True)
                if row[status_col] is not None}
    assert statuses and statuses <= {"Approved", "Paid"}, statuses
    assert "About this export" in wb.sheetnames


@pytest.mark.parametrize("args, message", [
    (["--from", "31/02/2026"], "is not a date"),
    (["--from", "01/04/2026", "--to", "01/03/2026"], "--to is before --from"),
    (["--status", "lost"], "is not a claim status"),
])
def test_export_finance_mistakes_are_one_plain_line(home, tmp_path, args, message):
    out = tmp_path / "finance.xlsx"
    done = run_cli("export-finance", "--output", str(out), *args, home=home, env=as_user("coordinator"))
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_export_finance_needs_the_export_permission(home, tmp_path):
    done = run_cli("export-finance", "--output", str(tmp_path / "f.xlsx"), home=home, env=as_user("viewer"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
