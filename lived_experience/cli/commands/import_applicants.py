"""``import-applicants FILE --window WINDOW``: import an applicant spreadsheet.

Without ``--strict`` the valid rows are imported and the others reported; with
``--strict`` any rejected row rejects the whole file (exit 2, nothing written).
Exit 0 whenever the file was read, even if rows were rejected.

Duplicates without a person to ask: a row matching exactly one person on
record by email or phone is linked to that person (their details updated from
the row, blanks never erasing anything); a match on name and date of birth
only, or on several people, is counted as ``needs_review`` and not imported
(use the window's "Import spreadsheet…" in the app to decide). Two rows of the
file for the same person: the later answer is imported.
"""

from __future__ import annotations

EPILOG = (
    "Duplicates: a row matching one person on record by email or phone is linked to that person; "
    "a match on name and date of birth only (or on several people) is left for a person to decide "
    "(needs_review) and not imported. Re-importing the same file adds nothing; a newer export updates "
    "the applicants already imported. Exit codes: 0 the file was read (even if rows were rejected); "
    "2 the file, the window or the profile was refused (nothing imported)."
)


def add(sub):
    p = sub.add_parser("import-applicants", help="import applicants from a spreadsheet (.xlsx, .xlsm, .xls, .ods or .csv)",
                       description="Import applicants from a spreadsheet (.xlsx, .xlsm, .xls, .ods or .csv) into a "
                                   "recruitment window.", epilog=EPILOG)
    p.add_argument("file", metavar="FILE", help="the spreadsheet: Microsoft Forms or Google Forms export, "
                                                "or a sheet typed by hand")
    p.add_argument("--window", required=True, metavar="WINDOW", help="the recruitment window's id or exact name")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, without importing")
    p.add_argument("--strict", action="store_true", help="reject the whole file if any row has a problem")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--profile", metavar="NAME", help="use a saved column mapping (import profile)")
    p.add_argument("--report", metavar="FILE.xlsx", help="write the rejected rows to this workbook to fix")
    return p


def run(args, rt) -> int:
    import json

    from lived_experience.core.errors import UserError
    from lived_experience.importing import profiles, service
    from lived_experience.importing.headers import auto_map
    from lived_experience.importing.readers import open_source
    from lived_experience.importing.report import write_rejected_report
    from lived_experience.importing.validate import EXISTING_PERSON
    from lived_experience.settings import load as load_settings

    window = service.find_window(rt.ctx, args.window)
    profile = profiles.get_profile(rt.ctx, args.profile) if args.profile else None
    with service.quiet_gc(), open_source(args.file) as source:
        samples = [cells for _n, cells in source.sample()]
        if profile is not None:
            mapping = profiles.mapping_from_profile(profile, source.headers, samples)
        else:
            mapping = auto_map(source.headers, samples)
        preview = service.analyse(rt.ctx, source, mapping, window.id, progress=rt.progress("Reading"))
        report_path = None
        if args.report and preview.rejected:
            settings = load_settings(rt.ctx)
            report_path = write_rejected_report(preview, args.report, source=source,
                                                marking=settings.protective_marking,
                                                author=rt.ctx.actor.display_name)
    if args.dry_run:
        rejected = preview.rejected
        if args.strict and rejected:
            # The same answer as the real import would give, so a script can check a file first.
            shown = ", ".join(str(r.number) for r in rejected[:10]) + (" and more" if len(rejected) > 10 else "")
            raise UserError(f"{len(rejected):,} {'row has' if len(rejected) == 1 else 'rows have'} problems "
                            f"(row {shown}) and strict mode would reject the whole file (dry run: nothing was "
                            "imported).")
        outcome = service.dry_run(preview)
    else:
        with service.quiet_gc():
            outcome = service.commit(rt.ctx, preview, strict=args.strict, progress=rt.progress("Importing"))
    if args.json:
        rt.out(json.dumps(outcome.as_json(), ensure_ascii=False))
        return 0
    c = outcome.counts
    verb = "Checked (dry run, nothing imported)" if outcome.dry_run else "Imported"
    rt.out(f"{verb}: {preview.file_name} into '{window.name}'.")
    for note in preview.notes:
        rt.out(f"  {note}")
    rt.out(f"{c.rows:,} rows: {c.imported:,} new, {c.updated:,} updated, {c.unchanged:,} unchanged, "
           f"{c.duplicates:,} duplicates skipped, {c.needs_review:,} need a decision, {c.rejected:,} rejected.")
    for number, reasons in outcome.rejected:
        rt.out(f"  Row {number}: " + "; ".join(reasons))
    for r in preview.rows:
        if r.status == EXISTING_PERSON and r.choice is None:
            rt.out(f"  Row {r.number}: probably someone already on record (same {' and '.join(r.matched_on)}); "
                   "not imported. Decide in the app: Applicants > Import spreadsheet.")
    if report_path is not None:
        rt.out(f"The rejected rows are in {report_path}: fix them there and import that workbook.")
    elif args.report:
        rt.out("No rows were rejected, so no report was written.")
    return 0
