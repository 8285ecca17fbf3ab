"""``purge [--dry-run] [--json]``: run every registered retention job.

Each job runs in its own unit of work (one failing job leaves the others'
work committed and its own rolled back). A dry run changes nothing and says
what would change. Every run is audited. ``run_retention`` is also what the
window calls for its daily run.
"""

from __future__ import annotations

import datetime as dt


def add(sub):
    p = sub.add_parser("purge", help="run the retention jobs (remove data kept long enough); "
                       "--dry-run shows what would change")
    p.add_argument("--dry-run", action="store_true", help="change nothing; report what would be removed")
    p.add_argument("--json", action="store_true",
                   help='print {"dry_run": ..., "jobs": [{"job", "description", "affected", "ids"}]}')
    return p


def run_retention(ctx, *, dry_run: bool, today: dt.date | None = None):
    """Run every registered job; returns their ``JobResult``s. Needs ``Perm.RETENTION``."""
    from lived_experience import retention
    from lived_experience.core import clock
    from lived_experience.core.uow import unit_of_work
    from lived_experience.security import audit
    from lived_experience.security.guard import require
    from lived_experience.security.permissions import Perm
    from lived_experience.settings import load as load_settings

    require(ctx, Perm.RETENTION, entity="retention")
    settings = load_settings(ctx)
    today = today or clock.today()
    results = []
    for job in retention.jobs():
        with unit_of_work(ctx, readonly=dry_run) as s:
            result = job.run(s, ctx.actor, settings, today, dry_run)
            if not dry_run:
                audit.record(s, ctx.actor, "retention.job", entity=job.name,
                             detail=f"{job.name}: {result.affected} records")
        results.append(result)
    total = sum(r.affected for r in results)
    audit.record_now(ctx, "retention.purge", outcome="ok",
                     detail=f"{'dry run' if dry_run else 'run'}: {len(results)} jobs, {total} records "
                            f"{'would change' if dry_run else 'changed'}")
    return results


def run(args, rt) -> int:
    import json

    results = run_retention(rt.ctx, dry_run=args.dry_run)
    if args.json:
        rt.out(json.dumps({"dry_run": bool(args.dry_run),
                           "jobs": [{"job": r.job, "description": r.description, "affected": r.affected,
                                     "ids": list(r.ids)} for r in results]}, indent=2))
        return 0
    verb = "would change" if args.dry_run else "changed"
    if args.dry_run:
        rt.out("Dry run: nothing was changed.")
    if not results:
        rt.out("No retention jobs are registered.")
    for r in results:
        rt.out(f"{r.job}: {r.affected} {'record' if r.affected == 1 else 'records'} {verb} - {r.description}")
    total = sum(r.affected for r in results)
    rt.out(f"{len(results)} {'job' if len(results) == 1 else 'jobs'} run; {total} "
           f"{'record' if total == 1 else 'records'} {verb}.")
    return 0
