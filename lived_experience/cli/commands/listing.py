"""``list KIND [--json]``: records as a table, or a JSON array of objects."""

from __future__ import annotations

# Every list, for --help: the same names as export-list (checked against the registry there).
from lived_experience.cli.commands.export_list import KINDS


def add(sub):
    p = sub.add_parser("list", help="list records as a table, or as JSON with --json")
    p.add_argument("kind", metavar="KIND", help="the list, one of: " + ", ".join(KINDS))
    p.add_argument("--json", action="store_true", help="print a JSON array of objects")
    p.add_argument("--search", default="", metavar="TEXT", help="only rows containing every word of TEXT")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                   help="only rows where KEY is VALUE (repeatable), e.g. --filter stage=shortlisted")
    p.add_argument("--sort", metavar="KEY", help="sort by this column")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--limit", type=int, metavar="N", help="at most N rows")
    return p


def parse_filters(items: list[str]) -> dict:
    from lived_experience.core.errors import UserError

    filters: dict = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"'--filter {item}' needs the form KEY=VALUE, e.g. --filter stage=shortlisted.")
        key, value = item.split("=", 1)
        value = value.strip()
        filters[key.strip()] = int(value) if value.isdigit() else value
    return filters


def run(args, rt) -> int:
    import json

    from lived_experience.core.errors import UserError
    from lived_experience.listing.query import list_page
    from lived_experience.listing.render import json_row, text_table

    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be a positive number.")
    page = list_page(rt.ctx, args.kind, text=args.search, filters=parse_filters(args.filter),
                     sort=args.sort, descending=args.desc, limit=args.limit, with_total=False)
    if args.json:
        rt.out(json.dumps([json_row(r, page.columns) for r in page.rows], ensure_ascii=False, indent=2))
    else:
        rt.out(text_table(page.rows, page.columns))
        rt.out(f"{len(page.rows)} {'row' if len(page.rows) == 1 else 'rows'}.")
    return 0
