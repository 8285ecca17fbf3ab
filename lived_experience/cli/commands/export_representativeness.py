"""``export-representativeness --output FILE.pdf [--window ID]``: applicants and members against the LLR census."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-representativeness",
        help="write the representativeness report (PDF, OFFICIAL): applicants and members against the census",
        description="How applicants (one window, or all windows) and current members compare with the "
                    "population of Leicester, Leicestershire and Rutland by area, ethnic group, sex, age band "
                    "and disability, and which recruitment channels reached which groups. Nobody is named; "
                    "counts of fewer than 5 are suppressed so that none can be worked out from the totals. "
                    "Needs a role that may see equality monitoring answers.")
    p.add_argument("--output", required=True, metavar="FILE.pdf", help="the PDF to write")
    p.add_argument("--window", type=int, metavar="ID",
                   help="one recruitment window's applicants (see 'list windows'); default: every window")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.reporting.representativeness_pdf import export_representativeness

    res = export_representativeness(rt.ctx, Path(args.output), window_id=args.window,
                                    progress=rt.progress("Writing the PDF"))
    rt.out(f"Representativeness report written to {res.path}.")
    return 0
