"""``audit verify`` and ``audit export --output FILE.xlsx``: the audit log (administrators)."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("audit", help="check the audit log's hash chain, or export it to Excel")
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION")
    actions.required = True
    actions.add_parser("verify", help="check that no audit event was changed or deleted (exit 0 intact, "
                                      "2 broken)")
    e = actions.add_parser("export", help="export the audit log to an Excel workbook")
    e.add_argument("--output", required=True, metavar="FILE.xlsx", help="the workbook to write")
    e.add_argument("--from", dest="date_from", metavar="DATE", help="only events on or after this day (dd/mm/yyyy)")
    e.add_argument("--to", dest="date_to", metavar="DATE", help="only events on or before this day (dd/mm/yyyy)")
    e.add_argument("--action", metavar="ACTION", help="only this action, e.g. sign_in or export")
    e.add_argument("--actor", metavar="NAME", help="only events by this user name")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.security import audit_export

    if args.audit_action == "verify":
        result = audit_export.verify_chain(rt.ctx)
        if result.ok:
            rt.out(f"Audit log intact: {result.checked:,} events checked, hash chain unbroken.")
            return 0
        rt.out(f"Audit log BROKEN: {result.checked:,} events checked, {len(result.problems)} problem(s).")
        for line in result.problems[:50]:
            rt.out(f"  {line}")
        rt.err("The audit log has been tampered with at event(s): "
               + ", ".join(str(i) for i in result.broken_ids[:50]) + ".")
        return 2
    filters = {k: v for k, v in (("from", args.date_from), ("to", args.date_to), ("action", args.action),
                                 ("actor", args.actor)) if v}
    res = audit_export.export_audit(rt.ctx, Path(args.output), filters=filters,
                                    progress=rt.progress("Exporting the audit log"))
    rt.out(f"{res.rows:,} audit events written to {res.path} (hash chain {'intact' if res.chain_ok else 'BROKEN'}).")
    return 0
