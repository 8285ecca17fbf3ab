"""The kill loop of bench/crash_loop.py, 20 times: an import SIGKILLed at random moments
leaves a database that passes integrity_check and holds all of the import or none of it.

The bench kills 200 imports of a 5,000-row file started from scratch; here each import is
forked from a process that has already loaded the program (no start-up to wait through)
and the kills are aimed at the import's writing and commit, so 20 of them take seconds.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("crash_loop_bench", ROOT / "bench" / "crash_loop.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")
def test_twenty_kills_leave_all_or_nothing(tmp_path):
    bench = _bench()
    result = bench.crash_loop(20, rows=1000, seed=7, folder=tmp_path, warm=True, around_writing=True)
    exp = result.expected
    print(f"20 kills of a 1,000-row import: {result.none} before writing, {result.none_writing} while "
          f"writing, {result.all} after the commit, {result.finished} finished first "
          f"(import {exp.seconds:.2f} s, writing from {exp.writing_from:.2f} s)")
    assert result.failures == []
    assert result.runs == result.none + result.none_writing + result.all + result.finished == 20
    # "All of it" is the whole file: no row was held back, so the expectation is not a partial import.
    assert exp.summary["imported"] == 1000 and exp.summary["needs_review"] == 0
    assert exp.all["application"] - exp.none["application"] == 1000
    assert exp.all["person"] - exp.none["person"] == 1000
    assert exp.all["import_batch"] == exp.none["import_batch"] + 1


def test_the_generated_file_has_no_accidental_duplicates(tmp_path):
    import csv

    bench = _bench()
    path = bench.write_file(tmp_path / "a.csv", 5000)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 5000
    assert len({(r["First name"], r["Last name"], r["Date of birth"]) for r in rows}) == 5000
    assert len({r["Email Address"] for r in rows}) == len({r["Phone number"] for r in rows}) == 5000
