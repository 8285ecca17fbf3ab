"""``demo [--seed N] [--scale N]``: fill an empty database with fictional data."""

from __future__ import annotations

import os


def add(sub):
    p = sub.add_parser("demo", help="fill an empty database with a fictional demo data set")
    p.add_argument("--seed", type=int, default=1, help="random seed (the same seed gives the same data)")
    p.add_argument("--scale", type=int, default=1,
                   help="multiply applicants and feedback by N, for benchmarks (1-1000)")
    return p


def run(args, rt) -> int:
    from lived_experience.demo.generator import generate

    password = os.environ.get("LIVED_EXPERIENCE_PASSWORD") or None
    summary = generate(rt.ctx, seed=args.seed, scale=args.scale, password=password,
                       progress=rt.progress("Creating demo data"))
    c = summary.counts
    rt.out(
        f"Demo data added: {c.get('application', 0)} applications from {c.get('person', 0)} people in "
        f"{c.get('recruitment_window', 0)} recruitment windows, {c.get('membership_term', 0)} membership terms, "
        f"{c.get('meeting', 0)} meetings, {c.get('commissioned_service', 0)} commissioned services and "
        f"{c.get('feedback_item', 0)} feedback items."
    )
    if summary.accounts:
        rt.out("Demo accounts (password from LIVED_EXPERIENCE_PASSWORD): " + ", ".join(summary.accounts) + ".")
    else:
        rt.out("No accounts were created: set LIVED_EXPERIENCE_PASSWORD to create the demo accounts "
               "admin, coordinator, dbs-officer and viewer.")
    return 0
