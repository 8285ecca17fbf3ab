"""``erase PERSON_ID --yes``: anonymise a person everywhere and scrub the database file."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("erase", help="anonymise a person everywhere (right to erasure); cannot be undone")
    p.add_argument("person_id", type=int, metavar="PERSON_ID",
                   help="the person's id (the id in 'list members', person_id in 'list applicants')")
    p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    return p


def run(args, rt) -> int:
    from lived_experience.core.errors import UserError
    from lived_experience.retention.erasure import erase_person

    if not args.yes:
        raise UserError("Erasure cannot be undone. Add --yes to confirm that person "
                        f"{args.person_id} should be anonymised everywhere.")
    result = erase_person(rt.ctx, args.person_id)
    for line in result.lines():
        rt.out(line)
    return 0
