"""Copies opened for a viewer (pack previews, papers) are private and do not outlive the session."""

from __future__ import annotations

import os
import time

from lived_experience.core.paths import ensure_dirs, resolve_paths
from lived_experience.maintenance import previews


def test_each_copy_gets_a_private_folder_under_the_data_folder(tmp_path):
    paths = resolve_paths(tmp_path)
    ensure_dirs(paths)
    a, b = previews.new_folder(paths), previews.new_folder(paths)
    assert a != b and a.parent == b.parent == paths.data_dir / "previews"
    if os.name == "posix":
        assert a.stat().st_mode & 0o077 == 0 and a.parent.stat().st_mode & 0o077 == 0


def test_sweeping_removes_the_old_copies_and_keeps_the_recent_ones(tmp_path):
    paths = resolve_paths(tmp_path)
    ensure_dirs(paths)
    old = previews.new_folder(paths)
    (old / "pack-preview.pdf").write_bytes(b"%PDF-1.4 old")
    hours_ago = time.time() - 3 * 3600
    os.utime(old, (hours_ago, hours_ago))
    recent = previews.new_folder(paths)
    (recent / "paper.pdf").write_bytes(b"%PDF-1.4 new")
    assert previews.sweep(paths, older_than_seconds=3600) == 1
    assert not old.exists() and (recent / "paper.pdf").exists()
    assert previews.sweep(paths) == 1  # signing out: all of them
    assert not recent.exists()
    assert previews.sweep(paths) == 0 and previews.sweep(None) == 0
