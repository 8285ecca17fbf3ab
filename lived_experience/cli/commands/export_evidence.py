"""``export-evidence CYCLE_ID --output FILE.pdf``: the commissioning evidence PDF for one cycle."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-evidence",
        help="write the commissioning evidence PDF for one commissioning cycle",
        description="The feedback linked to the cycle, by theme and by Victims' Code right, the cycle's stages "
                    "and activities, and each decision with the feedback behind it: for the Police and Crime "
                    "Panel or a procurement file. Never names a source.")
    p.add_argument("cycle_id", type=int, metavar="CYCLE_ID", help="the cycle's id (see the Commissioning section)")
    p.add_argument("--output", required=True, metavar="FILE.pdf", help="the PDF to write")
    p.add_argument("--quotes", action="store_true",
                   help="include the members' words as said (marked with the office's protective marking)")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.exporting.evidence import write_evidence

    res = write_evidence(rt.ctx, args.cycle_id, Path(args.output), include_quotes=args.quotes,
                         progress=rt.progress("Writing the PDF"))
    rt.out(f"Evidence for '{res.title}' ({res.items} feedback item{'s' if res.items != 1 else ''}, "
           f"{res.decisions} decision{'s' if res.decisions != 1 else ''}) written to {res.path}.")
    return 0
