"""Crash safety: import a 5,000-row spreadsheet in a child process and SIGKILL it at a
random moment, many times. After every kill the database must pass integrity_check
and hold either the whole import or none of it: every table has exactly the rows it had
before the import, or exactly the rows a complete import leaves (measured first, by one
import left to finish).

The generated file has no accidental duplicates (every row its own email, phone and date
of birth), so a complete import adds one person and one application per row.

    python bench/crash_loop.py [--runs 200] [--rows 5000] [--seed 1]

Prints how many kills left nothing, how many left everything, how many imports finished
before their kill, and any failures. The test suite runs the same loop 20 times
(tests/maintenance/test_crash_loop.py).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import random
import select
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
# Dates of birth from 01/01/1940, one day apart: all adults, none repeated.
MAX_DISTINCT_ROWS = 18_000


def write_file(path: Path, rows: int, seed: int = 1) -> Path:
    """A Forms-style export of ``rows`` distinct applicants.

    Every row is a different person: its own email, phone and date of birth, so no two rows
    share a name and a date of birth (the import rightly holds such a pair back as a probable
    duplicate, which would make "the whole import" smaller than the file)."""
    if rows > MAX_DISTINCT_ROWS:
        raise SystemExit(f"at most {MAX_DISTINCT_ROWS:,} rows have distinct dates of birth")
    r = random.Random(seed)
    born = dt.date(1940, 1, 1)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["Timestamp", "Email Address", "First name", "Last name", "Phone number", "Postcode",
                    "Date of birth", "How did you hear about us?"])
        start = dt.datetime(2026, 10, 1, 9, 0)
        for i in range(rows):
            first, last = r.choice(FIRST), r.choice(LAST)
            w.writerow([
                (start + dt.timedelta(minutes=i)).strftime("%d/%m/%Y %H:%M:%S"),
                f"applicant{i}@example.org", first, last, f"07700 9{i:05d}",
                f"{r.choice(DISTRICTS)} {r.randint(1, 9)}AB",
                (born + dt.timedelta(days=i)).strftime("%d/%m/%Y"),
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


def table_counts(db: Path) -> dict[str, int]:
    """Rows in every table of the database (SQLite opens it and recovers from the WAL, as the app would)."""
    conn = sqlite3.connect(db)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        # Table names come from the database's own catalogue, quoted.
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


@dataclass
class Expected:
    """What the database holds with none of the import, and with all of it."""
    none: dict[str, int]
    all: dict[str, int]
    seconds: float  # how long a whole import took, start-up included
    writing_from: float  # when the write-ahead log first grew: the import began writing
    summary: dict  # the completed import's own counts (--json)


@dataclass
class LoopResult:
    runs: int = 0
    none: int = 0  # killed before the import wrote anything: nothing imported
    none_writing: int = 0  # killed while the import was writing (WAL growing): nothing imported
    all: int = 0  # killed after the commit: the whole import was there
    finished: int = 0  # the child finished before the kill
    failures: list[str] = field(default_factory=list)
    expected: Expected | None = None
    seconds: float = 0.0


def _fresh(baseline: Path, work: Path) -> Path:
    db = work / "db.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copy(baseline, db)
    return db


def _argv(db: Path, spreadsheet: Path) -> list[str]:
    return ["--database", str(db), "import-applicants", str(spreadsheet), "--window", "1", "--json"]


class ColdLauncher:
    """Each import is a new ``python main.py`` process: start-up and all, as a person runs it."""

    def start(self, db: Path, spreadsheet: Path, env: dict, stdout=None) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *_argv(db, spreadsheet)], env=env,
                                stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        pass


class _Forked:
    """A child forked by the warm server, with the part of Popen's interface the loop uses."""

    def __init__(self, server: subprocess.Popen, pid: int):
        self.server, self.pid, self.returncode = server, pid, None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.server.stdout], [], [], 0)[0]:
            self._read_exit()
        return self.returncode

    def _read_exit(self) -> None:
        line = self.server.stdout.readline().split()
        if not line or line[0] != b"exit" or int(line[1]) != self.pid:
            raise RuntimeError(f"the warm server said {line!r}")
        self.returncode = int(line[2])

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it has just ended on its own
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self) -> int:
        if self.returncode is None:
            self._read_exit()
        return self.returncode


class WarmLauncher:
    """Each import is a child forked from one process that has already loaded the program.

    The child runs the same command line (``main.main``) in a process of its own, and is
    killed with SIGKILL just the same; only Python's start-up and the imports are skipped,
    so that every kill lands in the import itself (the test suite uses this, to do its
    kills in seconds rather than minutes)."""

    def __init__(self, env: dict):
        self.server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve"], env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        if self.server.stdout.readline().strip() != b"ready":
            raise SystemExit("the warm import server did not start")

    def start(self, db: Path, spreadsheet: Path, env: dict, stdout=None) -> _Forked:
        out = getattr(stdout, "name", os.devnull)
        self.server.stdin.write(f"run\t{db}\t{spreadsheet}\t{out}\n".encode())
        self.server.stdin.flush()
        line = self.server.stdout.readline().split()
        if not line or line[0] != b"pid":
            raise RuntimeError(f"the warm server said {line!r}")
        return _Forked(self.server, int(line[1]))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.server.stdin.close()
        self.server.wait(timeout=30)


def serve() -> None:
    """The warm server: load the program once, then fork one child per import asked for."""
    import lived_experience.cli.commands.import_applicants  # noqa: F401 - loading them is the point
    import lived_experience.cli.runner  # noqa: F401
    import lived_experience.core.startup  # noqa: F401
    import lived_experience.importing.headers  # noqa: F401
    import lived_experience.importing.profiles  # noqa: F401
    import lived_experience.importing.readers  # noqa: F401
    import lived_experience.importing.report  # noqa: F401
    import lived_experience.importing.service  # noqa: F401
    import lived_experience.maintenance.health  # noqa: F401
    import lived_experience.security.accounts  # noqa: F401
    import lived_experience.settings  # noqa: F401
    import main as entry

    control_in, control_out = sys.stdin.buffer, sys.stdout.buffer
    control_out.write(b"ready\n")
    control_out.flush()
    for line in control_in:
        _cmd, db, spreadsheet, out = line.decode().rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:  # the child: the command line, with its own output
            code = 1
            try:
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(fd, 1)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                code = entry.main(_argv(Path(db), Path(spreadsheet)))
                sys.stdout.flush()
            finally:
                os._exit(code)
        control_out.write(f"pid {pid}\n".encode())
        control_out.flush()
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        control_out.write(f"exit {pid} {code}\n".encode())
        control_out.flush()


def _wal_size(db: Path) -> int:
    try:
        return os.stat(str(db) + "-wal").st_size
    except FileNotFoundError:
        return 0


def _watch(child, db: Path, until: float, *, after_write: float | None = None,
           on_write=None) -> tuple[bool, int]:
    """Wait until ``until`` (perf_counter) or the child's exit, watching the WAL every 5 ms;
    once the WAL has grown (the import is writing), wait at most ``after_write`` more seconds.
    Returns (the child finished, bytes in the WAL at the end)."""
    wal = 0
    seen = False
    while True:
        if child.poll() is not None:
            return True, wal
        wal = _wal_size(db)
        now = time.perf_counter()
        if wal and not seen:
            seen = True
            if on_write is not None:
                on_write(now)
            if after_write is not None:
                until = min(until, now + after_write)
        if now >= until:
            return False, wal
        time.sleep(min(0.005, until - now))


def calibrate(launch, baseline: Path, spreadsheet: Path, work: Path, env: dict, *, repeat: int = 1,
              timeout: float = 600) -> Expected:
    """Imports left to finish: how long one takes, when it starts writing, and what "all of it" is.
    With ``repeat`` the timings are the median of that many imports, which must all end the same."""
    import json
    import statistics

    seconds, writing_from = [], []
    none = full = summary = None
    for _ in range(repeat):
        db = _fresh(baseline, work)
        none = table_counts(db)
        out_path = work / "calibration.json"
        wrote: list[float] = []
        with open(out_path, "wb") as out:
            t = time.perf_counter()
            child = launch.start(db, spreadsheet, env, stdout=out)
            finished, _ = _watch(child, db, t + timeout, on_write=lambda now, t=t, w=wrote: w.append(now - t))
            if not finished:
                child.kill()
                child.wait()
                raise SystemExit(f"the import did not finish within {timeout:.0f} s")
            seconds.append(time.perf_counter() - t)
        if child.returncode != 0:
            raise SystemExit(f"the import failed on its own (exit {child.returncode})")
        writing_from.append(wrote[0] if wrote else seconds[-1])
        check = integrity(db)
        if check != "ok":
            raise SystemExit(f"integrity_check after a complete import: {check}")
        summary = json.loads(out_path.read_text(encoding="utf-8"))
        counts = table_counts(db)
        if full is not None and counts != full:
            raise SystemExit("two complete imports of the same file left different databases")
        full = counts
    if full.get("application", 0) <= none.get("application", 0):
        raise SystemExit(f"the complete import added no applications: {summary}")
    return Expected(none, full, statistics.median(seconds), statistics.median(writing_from), summary)


def one_run(launch, baseline: Path, spreadsheet: Path, work: Path, delay: float, env: dict,
            expected: Expected, after_write: float | None = None) -> tuple[str, str]:
    """Start an import and SIGKILL it after ``delay`` seconds, or ``after_write`` seconds after it
    starts writing if that comes first (unless it finished by then); then judge the database."""
    db = _fresh(baseline, work)
    t = time.perf_counter()
    child = launch.start(db, spreadsheet, env)
    finished, wal = _watch(child, db, t + delay, after_write=after_write)
    if not finished:
        child.send_signal(signal.SIGKILL)
    child.wait()
    check = integrity(db)
    if check != "ok":
        return "fail", f"integrity_check: {check}"
    counts = table_counts(db)
    if counts == expected.none:
        if finished:
            return "fail", "the import finished but nothing was imported"
        return ("none-writing" if wal else "none"), ""
    if counts == expected.all:
        return ("finished" if finished else "all"), ""
    partial = ", ".join(f"{t} {counts.get(t, 0)} (none {expected.none.get(t, 0)}, all {expected.all.get(t, 0)})"
                        for t in sorted(set(counts) | set(expected.all)) if counts.get(t) != expected.none.get(t))
    return "fail", f"neither none nor all of the import: {partial}"


def crash_loop(runs: int, rows: int = 5000, seed: int = 1, *, folder: Path | None = None,
               progress=None, around_writing: bool = False, warm: bool = False) -> LoopResult:
    """Kill ``runs`` imports of a ``rows``-row file at random moments.

    The moments are uniform from just after the start to just past the end of a whole import
    (measured first). With ``around_writing`` a third of the kills land at a uniform moment
    before the import starts writing, and the rest at a uniform moment from when it starts
    writing (its WAL grows) to its end, so that the commit itself is hit often.
    ``warm`` forks each import from a process that has already loaded the program
    (``WarmLauncher``). The test suite, which has time for only a few kills, uses both."""
    own_folder = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="le-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    try:
        baseline = make_baseline(folder)
        spreadsheet = write_file(folder / "applicants.csv", rows, seed)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
        env["LIVED_EXPERIENCE_HOME"] = str(folder / "home")
        launch = WarmLauncher(env) if warm else ColdLauncher()
        expected = calibrate(launch, baseline, spreadsheet, folder, env, repeat=3 if warm else 1)
        r = random.Random(seed)
        result = LoopResult(expected=expected)
        span = max(0.01, expected.seconds - expected.writing_from)  # writing, committing, exiting
        for i in range(runs):
            after_write = None
            if not around_writing:
                delay = r.uniform(0.05, expected.seconds * 1.05)
            elif r.random() < 1 / 3:
                delay = r.uniform(0.05, expected.writing_from)
            else:
                delay, after_write = expected.seconds * 3, r.uniform(0, span)
            kind, msg = one_run(launch, baseline, spreadsheet, folder, delay, env, expected, after_write)
            result.runs += 1
            when = f"{delay:.2f} s" if after_write is None else f"{after_write:.3f} s of writing"
            if kind == "none":
                result.none += 1
            elif kind == "none-writing":
                result.none_writing += 1
            elif kind == "all":
                result.all += 1
            elif kind == "finished":
                result.finished += 1
            else:
                result.failures.append(f"run {i + 1} (kill after {when}): {msg or kind}")
            if progress:
                progress(i + 1, runs)
        launch.close()
        result.seconds = time.perf_counter() - t0
        return result
    finally:
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warm", action="store_true", help="fork each import from a loaded process (no start-up)")
    ap.add_argument("--around-writing", action="store_true",
                    help="kill from shortly before the import starts writing, not from its start")
    args = ap.parse_args()
    tty = sys.stderr.isatty()
    res = crash_loop(args.runs, args.rows, args.seed, warm=args.warm, around_writing=args.around_writing,
                     progress=(lambda d, n: print(f"\r{d}/{n}", end="", file=sys.stderr, flush=True)) if tty else None)
    if tty:
        print(file=sys.stderr)
    exp = res.expected
    s = exp.summary
    own = (f"{s['rows']:,} rows: {s['imported']:,} new, {s['updated']:,} updated, {s['duplicates']:,} duplicates, "
           f"{s['needs_review']:,} held back for a decision, {len(s['rejected']):,} rejected")
    print(f"Kill loop: {res.runs} imports of a {args.rows:,}-row file SIGKILLed at random moments "
          f"(a whole import takes {exp.seconds:.2f} s here, {'forked from a loaded process' if args.warm else 'start-up included'}; "
          f"the loop took {res.seconds:.0f} s)")
    print(f"  a whole import adds {exp.all['application'] - exp.none['application']:,} applications and "
          f"{exp.all['person'] - exp.none['person']:,} people ({own})")
    print(f"  (it starts writing to the database {exp.writing_from:.2f} s after it starts)")
    print(f"  killed before it wrote anything, nothing imported:          {res.none}")
    print(f"  killed while it was writing (WAL growing), nothing imported: {res.none_writing}")
    print(f"  killed after the commit, everything imported:               {res.all}")
    print(f"  finished before the kill, everything imported:              {res.finished}")
    print(f"  integrity or partial-import failures:                       {len(res.failures)}")
    for f in res.failures[:20]:
        print("   ", f)
    sys.exit(1 if res.failures else 0)


if __name__ == "__main__":
    main()
