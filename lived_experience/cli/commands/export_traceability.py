"""``export-traceability --output FILE.xlsx [--from DATE --to DATE]``: the traceability workbook."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-traceability",
        help="export what the group changed, the evidence behind decisions, the rights grid and recurring themes",
        description="One workbook: changes by service in the period, decisions and the feedback behind them, "
                    "the services x Victims' Code rights grid for each service's current cycle, and themes by "
                    "quarter. Default period: this financial year (1 April to 31 March).")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (dd/mm/yyyy)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (dd/mm/yyyy)")
    p.add_argument("--output", required=True, metavar="FILE.xlsx", help="the workbook to write")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.cli.options import date_option
    from lived_experience.core.errors import UserError
    from lived_experience.feedback.traceability import export_traceability

    if bool(args.date_from) != bool(args.date_to):
        raise UserError("Give both --from and --to, or neither (this financial year).")
    start = date_option(args.date_from, "--from")
    end = date_option(args.date_to, "--to")
    res = export_traceability(rt.ctx, Path(args.output), start, end, progress=rt.progress("Exporting"))
    rt.out(f"Traceability workbook written to {res.path} ({res.rows:,} rows on {res.sheets} sheets).")
    return 0
