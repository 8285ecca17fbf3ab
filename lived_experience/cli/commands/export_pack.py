"""``export-pack MEETING_ID --output FILE.pdf [--pseudonymise] [--large-print]``: the meeting pack."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("export-pack", help="write a meeting's pack as one PDF (agenda, invitees, papers...)")
    p.add_argument("meeting_id", metavar="MEETING_ID", help="the meeting's id (see: list meetings)")
    p.add_argument("--output", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--pseudonymise", action="store_true",
                   help="show members as Member A, Member B... and leave out papers that name a member")
    p.add_argument("--large-print", action="store_true", help="large print (16 pt body text)")
    return p


def run(args, rt) -> int:
    from lived_experience.core.errors import UserError
    from lived_experience.exporting.pack import export_pack

    try:
        meeting_id = int(str(args.meeting_id).strip())
    except ValueError:
        raise UserError(f"'{args.meeting_id}' is not a meeting id: give the number shown by 'list meetings'.") \
            from None
    result = export_pack(rt.ctx, meeting_id, args.output, pseudonymise=args.pseudonymise,
                         large_print=args.large_print, progress=rt.progress("Building the pack"))
    edition = ", ".join(x for x in ("names withheld" if result.pseudonymised else "",
                                    "large print" if result.large_print else "") if x)
    rt.out(f"Meeting pack written to {result.path}: {result.pages} pages, marked {result.marking}"
           + (f" ({edition})" if edition else "") + ".")
    for line in result.papers_left_out:
        rt.out(f"Paper not included: {line}.")
    if result.quiet_message:
        rt.out(result.quiet_message)
    return 0
