"""``export-calendar --output FILE.ics [--meeting ID] [--from DD/MM/YYYY] [--to DD/MM/YYYY]``."""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("export-calendar", help="write meetings as a calendar file (.ics) for Outlook")
    p.add_argument("--output", required=True, metavar="FILE.ics", help="where to write the calendar file")
    p.add_argument("--meeting", metavar="ID", help="just this meeting")
    p.add_argument("--from", dest="date_from", metavar="DD/MM/YYYY", help="meetings starting on or after this day")
    p.add_argument("--to", dest="date_to", metavar="DD/MM/YYYY", help="meetings starting on or before this day")
    return p


def run(args, rt) -> int:
    from lived_experience.cli.options import date_option
    from lived_experience.core.errors import UserError
    from lived_experience.exporting.calendar import export_calendar

    meeting_id = None
    if args.meeting is not None:
        try:
            meeting_id = int(str(args.meeting).strip())
        except ValueError:
            raise UserError(f"'{args.meeting}' is not a meeting id: give the number shown by 'list meetings'.") \
                from None
    date_from = date_option(args.date_from, "--from")
    date_to = date_option(args.date_to, "--to")
    result = export_calendar(rt.ctx, args.output, meeting_id=meeting_id, date_from=date_from, date_to=date_to)
    extra = f", {result.cancelled} of them cancelled" if result.cancelled else ""
    rt.out(f"Calendar file written to {result.path}: {result.meetings} "
           f"meeting{'s' if result.meetings != 1 else ''}{extra}.")
    if result.quiet_message:
        rt.out(result.quiet_message)
    return 0
