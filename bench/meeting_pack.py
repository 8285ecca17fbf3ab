"""Meeting pack timings, printed in one run.

    .venv/bin/python bench/meeting_pack.py

Two packs on a throw-away SQLite database:
- a typical pack: 10 members, 8 agenda items, 40 "you said, we did" rows, 2 attached papers;
- a 50-page pack (more feedback and open actions, the same papers).

Each is timed end to end through the app (``export_pack``: read the database, build
the flowables, lay out with a table of contents, page furniture and papers merged
in, atomic write, audit) against reportlab building the same flowables bare: the
same story and page templates through a plain ``BaseDocTemplate.multiBuild``, no
app code around it. Medians of several runs after a warm-up.

Goals: typical pack <= 0.5 s; app <= 1.3 x bare reportlab.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 7


def _paper(pages: int, label: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(72, 770, f"{label} - page {i + 1}")
        c.setFont("Helvetica", 10)
        for line in range(50):
            c.drawString(72, 740 - line * 13, f"Paragraph {line + 1}: commissioning detail for the group to read.")
        c.showPage()
    c.save()
    return buf.getvalue()


def _setup(ctx, *, feedback: int, open_actions: int):
    from db.models import DbsCheck, FeedbackItem, MembershipTerm, Person
    from lived_experience.core.uow import unit_of_work
    from lived_experience.meetings import agenda, attendance, service
    from lived_experience.meetings.agenda import ActionInput, AgendaItemInput

    prog = service.save_programme(ctx, service.ProgrammeInput(f"Programme {feedback}-{open_actions}"))
    venue = service.save_venue(ctx, service.VenueInput(f"Riverside Community Centre {feedback}",
                                                       address="12 Canal Walk, Leicester", postcode="LE1 5ZZ",
                                                       step_free=True, hearing_loop=True, quiet_room=True,
                                                       parking="Two accessible spaces",
                                                       transport_notes="Five minutes from Haymarket"))
    earlier = []
    for i in range(3):
        earlier.append(service.save_meeting(ctx, service.MeetingInput(
            f"Earlier forum {i}", "forum", dt.date(2026, 2, 2 + i * 7), dt.time(18, 0), programme_id=prog),
            confirm=True).id)
    mid = service.save_meeting(ctx, service.MeetingInput(
        "Victims' voice forum: keeping informed", "forum", dt.date(2026, 3, 29), dt.time(10, 0), 150,
        programme_id=prog, venue_id=venue, online_link="https://meet.example.org/le-001",
        accessibility_arrangements="BSL interpreter booked; quiet room; papers in large print on request"),
        confirm=True).id
    names = [("Zoë", "Clarke"), ("Siobhán", "Byrne"), ("Łukasz", "Nowak"), ("Ama", "Khan"), ("Olu", "Thompson"),
             ("Gurpreet", "Mistry"), ("Rosa", "Ghosh"), ("Hannah", "Quinn"), ("Patrick", "Sharma"), ("小龍", "李")]
    people = []
    with unit_of_work(ctx) as s:
        for i, (f, la) in enumerate(names):
            p = Person(first_name=f, last_name=f"{la}{feedback}", needs_bsl=i == 0,
                       interpreter_language="Urdu" if i == 3 else None,
                       accessibility_needs="Needs step-free access" if i == 5 else None)
            s.add(p)
            s.flush()
            s.add(MembershipTerm(person_id=p.id, starts_on=dt.date(2025, 8, 31), ends_on=dt.date(2027, 2, 27)))
            s.add(DbsCheck(person_id=p.id, requested_on=dt.date(2025, 6, 1), decision="clear",
                           issue_date=dt.date(2025, 7, 1), decision_on=dt.date(2025, 7, 2)))
            people.append(p.id)
        for n in range(feedback):
            s.add(FeedbackItem(summary=f"Feedback {n + 1}: victims want clearer updates during investigations",
                               source_kind="meeting", meeting_id=earlier[n % 3], received_on=dt.date(2026, 2, 2),
                               status="actioned" if n % 4 else "not_actioned",
                               response="The provider now sends a monthly update; we will check it is working.",
                               not_actioned_reason=None if n % 4 else "Outside what the OPCC commissions."))
    org = attendance.save_organisation(ctx, f"Brightwater Advocacy CIC {feedback}", "commissioned_provider")
    contacts = [attendance.add_contact(ctx, org, f"Contact {i}", job_title="Service manager") for i in range(3)]
    attendance.invite(ctx, mid, person_ids=people, contact_ids=contacts, confirm=True)
    for i in range(open_actions):
        agenda.save_action(ctx, earlier[i % 3], ActionInput(f"Action {i + 1}: bring the draft specification back",
                                                           owner_name="Commissioning Manager",
                                                           due_on=dt.date(2026, 3, 1)))
    items = []
    for i in range(8):
        items.append(agenda.save_agenda_item(ctx, mid, AgendaItemInput(
            f"Item {i + 1}: recommissioning the ISVA service", presenter="Commissioning Manager", minutes=15,
            content_note="Discussion may touch on sexual violence." if i % 3 == 1 else None)))
    agenda.attach_paper(ctx, items[2], file_name="spec.pdf", content=_paper(4, "Draft service specification"))
    agenda.attach_paper(ctx, items[5], file_name="figures.pdf", content=_paper(3, "Performance figures"))
    return mid


def _bare(story_obj, out: Path) -> float:
    """reportlab alone: the same flowables and page templates, a plain multiBuild."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    t = time.perf_counter()
    doc = BaseDocTemplate(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                          bottomMargin=18 * mm)
    templates = [PageTemplate(id="page", frames=[Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height)])]
    for tid, (w, h) in story_obj.templates:
        templates.append(PageTemplate(id=tid, pagesize=(w, h), frames=[Frame(0, 0, w, h)]))
    doc.addPageTemplates(templates)

    def after(flowable):
        level = getattr(flowable, "_toc_level", None)
        if level is not None:
            doc.notify("TOCEntry", (level, flowable._toc_text, doc.page))

    doc.afterFlowable = after
    doc.multiBuild(story_obj.flowables)
    return time.perf_counter() - t


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="le-bench-pack-"))
    import os

    os.environ["LIVED_EXPERIENCE_HOME"] = str(tmp)
    from lived_experience.core.paths import ensure_dirs, resolve_paths
    from lived_experience.core.startup import open_context
    from lived_experience.exporting.pack import build_story, export_pack, gather

    class Args:
        database = None

    paths = resolve_paths()
    ensure_dirs(paths)
    ctx = open_context(Args, paths)
    cases = [("typical pack (10 members, 8 items, 40 feedback, 2 papers)", _setup(ctx, feedback=40, open_actions=4)),
             ("50-page pack", _setup(ctx, feedback=400, open_actions=45))]
    print(f"Meeting pack benchmark: medians of {RUNS} interleaved runs after a warm-up "
          f"(SQLite, {sys.platform}, rl_accel {'on' if _accel() else 'off'})")
    from pypdf import PdfReader

    results = {}
    for label, mid in cases:
        out = tmp / f"pack-{mid}.pdf"
        data = gather(ctx, mid)
        app_times, bare_times, layout_times = [], [], []
        for run in range(RUNS + 1):
            t = time.perf_counter()
            export_pack(ctx, mid, out)
            app_t = time.perf_counter() - t
            t = time.perf_counter()
            story = build_story(data)
            layout_t = _bare(story, tmp / f"bare-{mid}.pdf")
            bare_t = time.perf_counter() - t
            if run:  # the first run warms caches and imports
                app_times.append(app_t)
                bare_times.append(bare_t)
                layout_times.append(layout_t)
        app_m, bare_m, layout_m = (statistics.median(x) for x in (app_times, bare_times, layout_times))
        pages = len(PdfReader(str(out)).pages)
        results[label] = (app_m, bare_m)
        print(f"{label}: {pages} pages")
        print(f"  app, end to end (read the database, build, lay out, furniture, papers, write, audit): "
              f"{app_m:.3f} s")
        print(f"  bare reportlab, the same flowables made and laid out (plain multiBuild): {bare_m:.3f} s"
              f"  (layout alone {layout_m:.3f} s)")
        print(f"  ratio app / bare: {app_m / bare_m:.2f} x")
    typical = results[cases[0][0]]
    print(f"Goals: typical pack <= 0.5 s (measured {typical[0]:.3f} s: "
          f"{'met' if typical[0] <= 0.5 else 'NOT met'}); ratio <= 1.3 x (measured "
          + ", ".join(f"{a / b:.2f} x" for a, b in results.values()) + ")")


def _accel() -> bool:
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
