"""Run the real program in a child process, as acceptance checks do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, home: Path, env: dict | None = None, input_: str | None = None,
            timeout: int = 120) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith("LIVED_EXPERIENCE_")}
    e["LIVED_EXPERIENCE_HOME"] = str(home)
    e.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=e, timeout=timeout, input=input_, cwd=ROOT)


def run_json(*args: str, home: Path, env: dict | None = None):
    done = run_cli(*args, home=home, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
