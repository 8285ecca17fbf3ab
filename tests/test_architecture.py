"""The layers hold: rules and data never import the UI or Qt."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept():
    exe = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "broken" in done.stdout and " 0 broken" in done.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_qt_or_ui_in_core_and_db_even_inside_functions():
    offenders = []
    for package in ("lived_experience", "db"):
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in ("PySide6", "ui", "main"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_db_never_imports_the_rules_layer():
    offenders = [
        f"{p.relative_to(ROOT)} imports {n}"
        for p in (ROOT / "db").rglob("*.py")
        for n in _imports(p)
        if n.split(".")[0] == "lived_experience"
    ]
    assert offenders == []


def test_ruff_finds_nothing():
    exe = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(exe), "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
