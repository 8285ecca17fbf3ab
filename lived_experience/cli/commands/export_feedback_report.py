"""``export-feedback-report --from DATE --to DATE --output FILE.pdf``: the "You said, we did" PDF for members."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-feedback-report",
        help="write the 'You said, we did' PDF for members for a period",
        description="Each feedback item received in the period: what was said (the summary) and what was done, "
                    "or why not. No names: sources are pseudonymised (Member A, Member B...) and anonymous "
                    "feedback is only ever 'Anonymous'.")
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day (dd/mm/yyyy)")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day (dd/mm/yyyy)")
    p.add_argument("--output", required=True, metavar="FILE.pdf", help="the PDF to write")
    p.add_argument("--large-print", action="store_true", help="16 pt body text")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.cli.options import date_option
    from lived_experience.exporting.you_said_we_did import write_you_said_we_did

    res = write_you_said_we_did(rt.ctx, Path(args.output), date_option(args.date_from, "--from"),
                                date_option(args.date_to, "--to"), large_print=args.large_print,
                                progress=rt.progress("Writing the PDF"))
    rt.out(f"'You said, we did' for {res.items} feedback item{'s' if res.items != 1 else ''} written to {res.path} "
           f"({res.pages} page{'s' if res.pages != 1 else ''}).")
    return 0
