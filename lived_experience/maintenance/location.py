"""Refuse to keep a SQLite database where it will be damaged.

SQLite's locking does not work reliably over network file systems, and sync
clients (OneDrive, Dropbox, Google Drive) copy the file and its WAL separately
while it is open. Both corrupt databases. Shared use is what PostgreSQL mode is for.
"""

from __future__ import annotations

import os
from pathlib import Path

from lived_experience.core.errors import UserError

SYNC_FOLDER_MARKERS = ("onedrive", "dropbox", "google drive", "googledrive", "my drive", "icloud", "box sync")
NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb2", "smb3", "sshfs", "fuse.sshfs", "afs", "9p",
              "fuse.rclone", "davfs", "ncpfs"}

ADVICE = ("Keep the SQLite file on this PC's own disk, or, to share records between PCs, use the "
          "shared PostgreSQL mode (see 'Sharing between PCs' in the README).")


def _is_unc(path: str) -> bool:
    return path.startswith("\\\\") or path.startswith("//")


def _windows_drive_is_remote(path: Path) -> bool:
    if os.name != "nt":
        return False
    try:
        import ctypes

        drive = os.path.splitdrive(str(path))[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
    except Exception:
        return False


MOUNTS_FILE = Path("/proc/mounts")


def _linux_fs_type(path: Path) -> str | None:
    try:
        mounts = MOUNTS_FILE.read_text().splitlines()
    except OSError:
        return None
    target = str(path)
    best, fstype = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(mount) > len(best):
            best, fstype = mount, parts[2]
    return fstype


def _real_path(path: Path) -> Path:
    """The absolute path with symbolic links resolved, for a file (or folders) that may not exist yet."""
    existing, rest = path.absolute(), []
    while not existing.exists() and existing != existing.parent:
        rest.append(existing.name)
        existing = existing.parent
    return existing.resolve().joinpath(*reversed(rest))


def unsafe_reason(path: Path) -> str | None:
    raw = str(path)
    if _is_unc(raw):
        return "it is on a network share"
    real = _real_path(path)
    for candidate in (raw, str(real)):  # a shortcut or symbolic link into a synced folder counts too
        lowered = candidate.replace("\\", "/").lower()
        if any(f"/{marker}" in lowered for marker in SYNC_FOLDER_MARKERS):
            return "it is in a synced folder (OneDrive, Dropbox, Google Drive or similar)"
    if _windows_drive_is_remote(path):
        return "it is on a mapped network drive"
    fstype = _linux_fs_type(real)
    if fstype and (fstype in NETWORK_FS or fstype.startswith("fuse.") and "drive" in fstype):
        return f"it is on a network file system ({fstype})"
    return None


def refuse_unsafe_location(path: Path) -> None:
    reason = unsafe_reason(path)
    if reason:
        raise UserError(f"The database {path} cannot be used because {reason}: SQLite files there get "
                        f"damaged. {ADVICE}")
