"""``check``: integrity check and schema version; exit 0 when healthy."""

from __future__ import annotations


def add(sub):
    return sub.add_parser("check", help="check the database's integrity and schema version")


def run(args, rt) -> int:
    from lived_experience.maintenance.health import check_health

    report = check_health(rt.ctx)
    for line in report.lines():
        rt.out(line)
    if not report.healthy:
        rt.err("The database is not healthy: " + "; ".join(report.problems)
               + ". Restore a backup with 'lived-experience restore FILE'.")
        return 2
    return 0
