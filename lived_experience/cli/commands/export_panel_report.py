"""``export-panel-report --from DD/MM/YYYY --to DD/MM/YYYY --output FILE.pdf``: the Police and Crime Panel report."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser(
        "export-panel-report",
        help="write the Police and Crime Panel report (PDF, OFFICIAL) for a period",
        description="Recruitment, membership, meetings and attendance, feedback by theme and service, "
                    "'you said, we did' highlights and DBS compliance for the period, in the shape of the "
                    "OPCC's Panel reports. Counts only: nobody is named.")
    p.add_argument("--from", dest="date_from", required=True, metavar="DD/MM/YYYY", help="first day of the period")
    p.add_argument("--to", dest="date_to", required=True, metavar="DD/MM/YYYY", help="last day of the period")
    p.add_argument("--output", required=True, metavar="FILE.pdf", help="the PDF to write")
    return p


def run(args, rt) -> int:
    from pathlib import Path

    from lived_experience.cli.options import date_option
    from lived_experience.core.formatting import uk_date
    from lived_experience.reporting.panel_report import export_panel_report

    start = date_option(args.date_from, "--from")
    end = date_option(args.date_to, "--to")
    res = export_panel_report(rt.ctx, start, end, Path(args.output), progress=rt.progress("Writing the PDF"))
    rt.out(f"Police and Crime Panel report for {uk_date(start)} to {uk_date(end)} written to {res.path}.")
    return 0
