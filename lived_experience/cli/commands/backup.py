"""``backup --output FILE``: an online backup, integrity-checked before it is reported done."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("backup", help="make an integrity-checked online backup")
    p.add_argument("--output", required=True, metavar="FILE", help="where to write the backup")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.maintenance.backups import backup_to

    result = backup_to(rt.ctx, Path(args.output), progress=rt.progress("Backing up"))
    rt.out(f"Backup written to {result.path} ({result.size_bytes:,} bytes) and checked: {result.check}.")
    return 0
