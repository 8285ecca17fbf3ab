"""Crash safety: import a 5,000-row spreadsheet in a child process and SIGKILL it at a
random moment, many times. After every kill the database must pass integrity_check
and hold either the whole import or none of it.

    python bench/crash_loop.py [--runs 200] [--rows 5000] [--seed 1]

Prints how many kills landed before, during and after the commit, and any failures.
The test suite runs the same loop 20 times (tests/maintenance/test_crash_loop.py).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = ["Zoë", "Siobhán", "Łukasz", "Aoife", "Priya", "Mohammed", "Wei", "Amara", "Declan", "Fatima"]
LAST = ["Abara", "Begum", "Chaudhry", "Dąbrowski", "Evans", "Kaur", "Nowak", "Patel", "Singh", "Walsh"]
DISTRICTS = ["LE1", "LE2", "LE3", "LE4", "LE5", "LE11", "LE18", "LE67"]


def write_file(path: Path, rows: int, seed: int = 1) -> Path:
    r = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["Timestamp", "Email Address", "First name", "Last name", "Phone number", "Postcode",
                    "Date of birth", "How did you hear about us?"])
        start = dt.datetime(2026, 10, 1, 9, 0)
        for i in range(rows):
            first, last = r.choice(FIRST), r.choice(LAST)
            w.writerow([
                (start + dt.timedelta(minutes=i)).strftime("%d/%m/%Y %H:%M:%S"),
                f"applicant{i}@example.org", first, last, f"07700 9{i % 100000:05d}"[:13],
                f"{r.choice(DISTRICTS)} {r.randint(1, 9)}AB",
                dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28).strftime("%d/%m/%Y"),
                r.choice(["OPCC website", "Facebook", "Neighbourhood Link", "A friend"]),
            ])
    return path


def make_baseline(folder: Path) -> Path:
    """A migrated database with one open recruitment window, checkpointed into one file."""
    from db.engine import open_database, sqlite_url
    from db.migrate import ensure_schema
    from lived_experience.core.context import AppContext
    from lived_experience.recruitment.windows import WindowForm, create_window

    path = folder / "baseline.sqlite3"
    db = open_database(sqlite_url(path))
    ensure_schema(db)
    today = dt.date.today()
    create_window(AppContext(db), WindowForm(name="Crash test window", opens_on=today - dt.timedelta(days=5),
                                             closes_on=today + dt.timedelta(days=30),
                                             term_starts_on=today + dt.timedelta(days=90)))
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


@dataclass
class LoopResult:
    runs: int = 0
    none: int = 0  # killed before the commit: nothing imported
    all: int = 0  # the whole import was there
    finished: int = 0  # the child finished before the kill
    failures: list[str] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)


def one_run(baseline: Path, spreadsheet: Path, work: Path, delay: float, rows: int, env: dict) -> tuple[str, str]:
    db = work / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copy(baseline, db)
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--database", str(db), "import-applicants",
                              str(spreadsheet), "--window", "1", "--json"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = child.poll() is not None
    if not finished:
        child.send_signal(signal.SIGKILL)
    child.wait()
    conn = sqlite3.connect(db)  # recovers from the WAL as the app would
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        apps = conn.execute("SELECT count(*) FROM application").fetchone()[0]
        batches = conn.execute("SELECT count(*) FROM import_batch").fetchone()[0]
        people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        conn.close()
    if check != "ok":
        return "fail", f"integrity_check: {check}"
    if apps == 0 and batches == 0 and people == 0:
        return ("finished-empty" if finished else "none"), ""
    if apps == rows and batches == 1 and people == rows:
        return ("finished" if finished else "all"), ""
    return "fail", f"partial import: {apps} applications, {people} people, {batches} batches"


def crash_loop(runs: int, rows: int = 5000, seed: int = 1, *, folder: Path | None = None,
               progress=None) -> LoopResult:
    folder = Path(folder or tempfile.mkdtemp(prefix="le-crash-"))
    baseline = make_baseline(folder)
    spreadsheet = write_file(folder / "applicants.csv", rows, seed)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    env["LIVED_EXPERIENCE_HOME"] = str(folder / "home")
    # How long does a whole import take here? Kill anywhere from start-up to just past the end.
    t = time.perf_counter()
    kind, msg = one_run(baseline, spreadsheet, folder, 600, rows, env)
    full = time.perf_counter() - t
    if kind != "finished":
        raise SystemExit(f"the import did not complete on its own: {kind} {msg}")
    r = random.Random(seed)
    result = LoopResult()
    result.durations.append(full)
    for i in range(runs):
        delay = r.uniform(0.05, full * 1.05)
        kind, msg = one_run(baseline, spreadsheet, folder, delay, rows, env)
        result.runs += 1
        if kind == "none":
            result.none += 1
        elif kind == "all":
            result.all += 1
        elif kind == "finished":
            result.finished += 1
        else:
            result.failures.append(f"run {i + 1} (kill after {delay:.2f} s): {msg or kind}")
        if progress:
            progress(i + 1, runs)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t = time.perf_counter()
    res = crash_loop(args.runs, args.rows, args.seed,
                     progress=lambda d, n: print(f"\r{d}/{n}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    print(f"Kill loop: {res.runs} imports of {args.rows:,} rows SIGKILLed at random moments "
          f"(a full import takes {res.durations[0]:.2f} s here; loop took {time.perf_counter() - t:.0f} s)")
    print(f"  killed before the commit, nothing imported:   {res.none}")
    print(f"  killed after the commit, everything imported: {res.all}")
    print(f"  finished before the kill:                     {res.finished}")
    print(f"  integrity or partial-import failures:         {len(res.failures)}")
    for f in res.failures[:20]:
        print("   ", f)
    sys.exit(1 if res.failures else 0)


if __name__ == "__main__":
    main()
