"""``export-finance --output FILE.xlsx [--from DATE] [--to DATE] [--status STATUS ...]``: the expenses workbook
for finance, as Members > Expenses > "Export for finance" writes it."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-finance",
        help="write the expenses workbook for finance (claims, totals by person, month and kind)",
        description="Every expense claim in the period with a totals row, totals by person, by month and by "
                    "kind, and an About sheet with the mileage rates used. Marked with the office's protective "
                    "marking. Without dates: every claim.")
    p.add_argument("--output", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="claims incurred on or after this day (dd/mm/yyyy)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="claims incurred on or before this day (dd/mm/yyyy)")
    p.add_argument("--status", action="append", metavar="STATUS",
                   help="only claims with this status (submitted, approved, paid, rejected); may be repeated")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from db.enums import ExpenseStatus
    from lived_experience.cli.options import date_option
    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import pounds
    from lived_experience.members.expenses import export_finance

    start = date_option(args.date_from, "--from")
    end = date_option(args.date_to, "--to")
    if start and end and end < start:
        raise UserError("--to is before --from: give the first day of the period first.")
    statuses = []
    for raw in args.status or []:
        try:
            statuses.append(ExpenseStatus.parse(raw))
        except ValueError:
            raise UserError(f"--status '{raw}' is not a claim status: give submitted, approved, paid or "
                            "rejected.") from None
    res = export_finance(rt.ctx, Path(args.output), start=start, end=end, statuses=statuses or None,
                         progress=rt.progress("Exporting"))
    rt.out(f"Finance workbook written to {res.path}: {res.rows:,} claim{'s' if res.rows != 1 else ''}, "
           f"{pounds(res.total_pence)} in all.")
    return 0
