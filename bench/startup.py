"""Start-up time: process start to the first painted main window.

Prints, in one run, the median of N starts for a bare PySide6 QMainWindow, the
app on an empty database and the app on ``demo --scale 100``, the ratios to the
bare program, and the time until the app's data is on screen ("ready").

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _time_start(cmd: list[str], env: dict, mode: str) -> tuple[float, float | None]:
    env = dict(env, LIVED_EXPERIENCE_STARTUP_PROBE=mode)
    t0 = time.time()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    paint = ready = None
    for line in done.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "first_paint":
            paint = float(parts[2]) - t0
        elif parts and parts[0] == "ready":
            ready = float(parts[2]) - t0
    if paint is None:
        raise SystemExit(f"no paint reported by {cmd}: {done.stderr[-500:]}")
    return paint, ready


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, default=100)
    args = ap.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    base_env.setdefault("QT_QPA_PLATFORM", "offscreen")

    empty_home = tempfile.mkdtemp(prefix="le-bench-empty-")
    demo_home = tempfile.mkdtemp(prefix="le-bench-demo-")
    main_py = str(ROOT / "main.py")
    # Create (and migrate) both databases before timing: we time a normal start, not the first one.
    subprocess.run([PY, main_py, "check"], env=dict(base_env, LIVED_EXPERIENCE_HOME=empty_home),
                   capture_output=True)
    subprocess.run([PY, main_py, "list", "windows"], env=dict(base_env, LIVED_EXPERIENCE_HOME=empty_home),
                   capture_output=True, check=True)
    t = time.perf_counter()
    subprocess.run([PY, main_py, "demo", "--scale", str(args.scale)],
                   env=dict(base_env, LIVED_EXPERIENCE_HOME=demo_home), capture_output=True, check=True)
    demo_seconds = time.perf_counter() - t

    cases = {
        "bare PySide6 QMainWindow": ([PY, str(ROOT / "bench" / "bare_qt.py")], base_env, "paint"),
        "app, empty database": ([PY, main_py], dict(base_env, LIVED_EXPERIENCE_HOME=empty_home), "ready"),
        f"app, demo --scale {args.scale}": ([PY, main_py], dict(base_env, LIVED_EXPERIENCE_HOME=demo_home),
                                            "ready"),
    }
    results: dict[str, tuple[float, float | None]] = {}
    samples: dict[str, list[tuple[float, float | None]]] = {k: [] for k in cases}
    for _ in range(args.runs):  # interleaved, so machine noise hits every case alike
        for name, (cmd, env, mode) in cases.items():
            samples[name].append(_time_start(cmd, env, mode))
    for name, runs in samples.items():
        paint = statistics.median(r[0] for r in runs)
        readies = [r[1] for r in runs if r[1] is not None]
        results[name] = (paint, statistics.median(readies) if readies else None)

    bare = results["bare PySide6 QMainWindow"][0]
    print(f"Start-up, median of {args.runs} runs (process start -> first painted main window)")
    print(f"(demo --scale {args.scale} took {demo_seconds:.1f} s to create)")
    print(f"{'case':34} {'first paint':>12} {'ratio':>7} {'data shown':>11}")
    for name, (paint, ready) in results.items():
        ready_s = f"{ready:.3f} s" if ready is not None else "-"
        print(f"{name:34} {paint:10.3f} s {paint / bare:6.2f}x {ready_s:>11}")
    goal_ok = all(p <= 0.5 and p / bare <= 2.5 for n, (p, _r) in results.items() if n.startswith("app"))
    print(f"Goal (first window <= 0.5 s and <= 2.5x bare Qt): {'met' if goal_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
