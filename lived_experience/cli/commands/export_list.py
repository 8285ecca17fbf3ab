"""``export-list KIND --output FILE.xlsx``: any list in the app as a safe, marked Excel workbook."""

from __future__ import annotations

# Every list in the app, for --help (tests/exporting checks this against the registry, so a new
# list cannot be left out). Written out here so that building the parser stays cheap at start-up.
KINDS = ["applicants", "members", "meetings", "feedback", "themes", "services", "cycles", "decisions", "visits",
         "expenses", "windows", "dbs", "organisations", "imports", "staff", "audit", "people", "recruitment_summary"]


def add(sub):
    p = sub.add_parser(
        "export-list",
        help="export any list (applicants, members, meetings, feedback, services, expenses...) to Excel",
        description="Write a list as an Excel workbook: one table with headers, filters and a frozen header "
                    "row, an 'About this export' sheet, and the protective marking in every header and footer. "
                    "Text that starts with =, +, -, @, a tab or a carriage return is written as text, so no "
                    "cell can become a formula.")
    p.add_argument("kind", metavar="KIND", help="the list, one of: " + ", ".join(KINDS)
                   + " (dbs, staff, audit and people need the matching role)")
    p.add_argument("--output", required=True, metavar="FILE.xlsx",
                   help="the workbook to write, in a folder that exists (an existing file is replaced)")
    p.add_argument("--search", default="", metavar="TEXT", help="only rows containing every word of TEXT")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                   help="only rows where KEY is VALUE (repeatable), as for 'list'")
    p.add_argument("--sort", metavar="KEY", help="sort by this column")
    p.add_argument("--desc", action="store_true", help="sort descending")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.cli.commands.listing import parse_filters
    from lived_experience.exporting.lists import export_list

    res = export_list(rt.ctx, args.kind, Path(args.output), text=args.search, filters=parse_filters(args.filter),
                      sort=args.sort, descending=args.desc, progress=rt.progress(f"Exporting {args.kind}"))
    rt.out(f"{res.rows:,} {'row' if res.rows == 1 else 'rows'} written to {res.path}.")
    return 0
