"""``subject-access PERSON_ID --output DIR``: everything held about a person, as xlsx and PDF."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("subject-access", help="export everything held about a person (xlsx and PDF)")
    p.add_argument("person_id", type=int, metavar="PERSON_ID",
                   help="the person's id (the id in 'list members', person_id in 'list applicants')")
    p.add_argument("--output", required=True, metavar="DIR", help="the folder to write the two files into")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.retention.subject_access import subject_access

    res = subject_access(rt.ctx, args.person_id, Path(args.output), progress=rt.progress("Collecting"))
    held = sum(n for t, n in res.counts.items() if t != "audit_event")
    rt.out(f"Subject access for person {res.person_id}: {held} records and {res.counts.get('audit_event', 0)} "
           "audit events.")
    rt.out(f"Workbook: {res.xlsx_path}")
    rt.out(f"PDF: {res.pdf_path}")
    return 0
