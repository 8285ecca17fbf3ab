"""A SQLite database on a network share or in a synced folder is refused (they damage SQLite files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lived_experience.core.errors import UserError
from lived_experience.maintenance import location
from tests.cli.helpers import run_cli


@pytest.mark.parametrize("raw,why", [
    (r"\\fileserver\shared\lived-experience.sqlite3", "network share"),
    ("//fileserver/shared/lived-experience.sqlite3", "network share"),
    (r"C:\Users\pat\OneDrive - OPCC LLR\Documents\le.sqlite3", "synced folder"),
    ("/home/pat/OneDrive/le.sqlite3", "synced folder"),
    (r"C:\Users\pat\Dropbox\le.sqlite3", "synced folder"),
    ("/Users/pat/Google Drive/My Drive/le.sqlite3", "synced folder"),
    ("/Users/pat/Library/Mobile Documents/iCloud Drive/le.sqlite3", "synced folder"),
])
def test_network_shares_and_synced_folders_are_refused(raw, why):
    reason = location.unsafe_reason(Path(raw))
    assert reason is not None and why in reason
    with pytest.raises(UserError, match="PostgreSQL"):
        location.refuse_unsafe_location(Path(raw))


@pytest.fixture
def fake_mounts(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw,relatime 0 0\n"
        "fileserver:/export/office /mnt/office nfs4 rw,relatime 0 0\n"
        "//fileserver/team /mnt/team\\040share cifs rw,relatime 0 0\n"
        "rclone: /mnt/gdrive fuse.rclone rw 0 0\n"
    )
    monkeypatch.setattr(location, "MOUNTS_FILE", mounts)
    return mounts


@pytest.mark.parametrize("raw,fstype", [
    ("/mnt/office/data/le.sqlite3", "nfs4"),
    ("/mnt/team share/le.sqlite3", "cifs"),
    ("/mnt/gdrive/le.sqlite3", "fuse.rclone"),
])
def test_network_mounts_are_found_from_the_mount_table(fake_mounts, raw, fstype):
    assert location.unsafe_reason(Path(raw)) == f"it is on a network file system ({fstype})"


def test_a_local_disk_is_fine(fake_mounts, tmp_path):
    assert location.unsafe_reason(Path("/var/lib/le/le.sqlite3")) is None
    assert location.unsafe_reason(tmp_path / "deep" / "er" / "le.sqlite3") is None


def test_a_mapped_network_drive_is_refused(monkeypatch):
    monkeypatch.setattr(location, "_windows_drive_is_remote", lambda _p: True)
    assert location.unsafe_reason(Path("Z:/Shared/le.sqlite3")) == "it is on a mapped network drive"


def test_the_command_line_refuses_with_advice(tmp_path):
    target = tmp_path / "OneDrive" / "le.sqlite3"
    done = run_cli("--database", str(target), "check", home=tmp_path)
    assert done.returncode == 2
    assert "synced folder" in done.stderr and "PostgreSQL" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()


def test_a_link_into_a_synced_folder_is_refused(tmp_path):
    synced = tmp_path / "Dropbox" / "office"
    synced.mkdir(parents=True)
    link = tmp_path / "innocent-looking"
    link.symlink_to(synced, target_is_directory=True)
    assert "synced folder" in location.unsafe_reason(link / "le.sqlite3")
