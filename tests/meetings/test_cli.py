"""The meetings commands, run as the real program in a child process."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import vobject
from pypdf import PdfReader

from tests.cli.helpers import run_cli, run_json


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("meetings-cli")
    done = run_cli("demo", home=home, timeout=300)
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture
def home(demo_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    return copy


def test_list_meetings_json_gives_iso_times_with_the_uk_offset(home):
    rows = run_json("list", "meetings", "--json", home=home)
    assert len(rows) == 12
    for r in rows:
        assert {"id", "title", "type", "starts_at", "ends_at", "status"} <= set(r)
        start, end = dt.datetime.fromisoformat(r["starts_at"]), dt.datetime.fromisoformat(r["ends_at"])
        assert start.utcoffset() in (dt.timedelta(0), dt.timedelta(hours=1))
        assert end > start and r["type"] in ("forum", "roundtable", "meeting", "consultation", "focus_group", "event")
        assert r["status"] in ("planned", "confirmed", "held", "cancelled")


def test_export_pack_and_its_editions(home, tmp_path):
    out = tmp_path / "pack.pdf"
    done = run_cli("export-pack", "10", "--output", str(out), "--pseudonymise", "--large-print", home=home)
    assert done.returncode == 0, done.stderr
    assert "Meeting pack written to" in done.stdout and "names withheld, large print" in done.stdout
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 5 and "Member A" in "".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("args,message", [
    (["export-pack", "999", "--output", "{tmp}/x.pdf"], "There is no meeting with id 999."),
    (["export-pack", "ten", "--output", "{tmp}/x.pdf"], "'ten' is not a meeting id"),
    (["export-pack", "10", "--output", "{tmp}/missing/x.pdf"], "does not exist"),
    (["export-pack", "10", "--output", "/proc/x.pdf"], "is read-only"),
    (["export-pack", "10", "--output", "{tmp}/x.docx"], ".pdf"),
    (["export-calendar", "--output", "{tmp}/c.ics", "--from", "31/02/2026"], "is not a date"),
    (["export-calendar", "--output", "{tmp}/c.ics", "--to", "tomorrow"], "is not a date"),
    (["export-calendar", "--output", "{tmp}/c.ics", "--meeting", "999"], "There is no meeting with id 999."),
    (["export-calendar", "--output", "/proc/c.ics"], "is read-only"),
    (["export-calendar", "--output", "{tmp}/c.ics", "--from", "01/01/2040"], "no meetings"),
])
def test_mistakes_exit_2_with_one_plain_line(home, tmp_path, args, message):
    done = run_cli(*[a.replace("{tmp}", str(tmp_path)) for a in args], home=home)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.partial"))


def test_export_calendar_for_a_range_and_one_meeting(home, tmp_path):
    rows = run_json("list", "meetings", "--json", home=home)
    out = tmp_path / "all.ics"
    done = run_cli("export-calendar", "--output", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "12 meetings, 1 of them cancelled" in done.stdout
    cal = vobject.readOne(out.read_text())
    starts = {str(e.uid.value): e.dtstart.value for e in cal.vevent_list}
    assert len(starts) == 12
    for r in rows:
        assert dt.datetime.fromisoformat(r["starts_at"]) in starts.values()
    one = tmp_path / "one.ics"
    done = run_cli("export-calendar", "--output", str(one), "--meeting", str(rows[0]["id"]), home=home)
    assert done.returncode == 0 and "1 meeting." in done.stdout
    first = dt.datetime.fromisoformat(rows[-1]["starts_at"]).strftime("%d/%m/%Y")
    ranged = tmp_path / "range.ics"
    done = run_cli("export-calendar", "--output", str(ranged), "--from", first, "--to", first, home=home)
    assert done.returncode == 0 and "1 meeting." in done.stdout, done.stderr
