"""The meeting pack PDF, read back with pypdf: what it says, what it must never say."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from db.models import AuditEvent, FeedbackItem, Meeting, MembershipTerm, Person
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import pdf
from lived_experience.exporting.pack import export_pack, pseudonym
from lived_experience.meetings import agenda, attendance, service
from lived_experience.meetings.agenda import ActionInput, AgendaItemInput
from tests.meetings.conftest import add_member, add_venue, new_meeting, pdf_bytes

DAY = dt.date(2026, 3, 29)  # the March clock change: 10:00 is BST
NAMES = [("Zoë", "Clarke"), ("Siobhán", "O'Connor"), ("Łukasz", "Wiśniewski"), ("小龍", "李")]


def _text(path) -> list[str]:
    """Each page's text, with line breaks and runs of spaces made single spaces."""
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages]


def _scenario(ctx, tmp_path, *, title="Victims' voice forum: first contact") -> dict:
    prog = service.save_programme(ctx, service.ProgrammeInput("October 2024 - April 2025"))
    earlier = new_meeting(ctx, dt.date(2026, 2, 1), programme_id=prog, title="Earlier forum")
    agenda.save_action(ctx, earlier, ActionInput("Find out how interpreter needs are recorded",
                                                 owner_name="Commissioning Manager", due_on=dt.date(2026, 3, 1)))
    agenda.save_action(ctx, earlier, ActionInput("A finished action", status="done"))
    members = [add_member(ctx, f, la, needs_bsl=(i == 0), interpreter_language=("Polish" if i == 2 else None),
                          accessibility_needs=("Uses a wheelchair" if i == 1 else None))
               for i, (f, la) in enumerate(NAMES)]
    with unit_of_work(ctx) as s:
        s.add(FeedbackItem(summary="Victims are not told who their officer is", source_kind="member",
                           meeting_id=earlier, person_id=members[0], anonymous=True,
                           received_on=dt.date(2026, 2, 1), status="actioned",
                           response="The ISVA specification now requires a named contact.",
                           quote="Zoë said: nobody told me anything"))
        s.add(FeedbackItem(summary="Interpreters are offered too late", source_kind="meeting", meeting_id=earlier,
                           received_on=dt.date(2026, 2, 1), status="not_actioned",
                           not_actioned_reason="Outside what the OPCC commissions; passed to the courts."))
        s.add(FeedbackItem(summary="Still being considered", source_kind="meeting", meeting_id=earlier,
                           received_on=dt.date(2026, 2, 1), status="new"))
    venue = add_venue(ctx, "Riverside Community Centre", parking="Two accessible spaces",
                      transport_notes="Five minutes from Haymarket bus station", quiet_room=True)
    mid = new_meeting(ctx, DAY, dt.time(10, 0), programme_id=prog, title=title, venue_id=venue,
                      online_link="https://meet.example.org/le-001",
                      accessibility_arrangements="BSL interpreter booked; papers in large print on request")
    org = attendance.save_organisation(ctx, "Brightwater Advocacy CIC", "commissioned_provider")
    contact = attendance.add_contact(ctx, org, "Priya Shah", job_title="Service manager")
    attendance.invite(ctx, mid, person_ids=members, contact_ids=[contact], confirm=True)
    items = [agenda.save_agenda_item(ctx, mid, AgendaItemInput(t, presenter=p, minutes=m, content_note=n))
             for t, p, m, n in [
                 ("Welcome and ground rules", "Deputy PCC", 10, None),
                 ("Support at court", "Provider lead", 30, "Discussion of giving evidence at trial."),
                 ("Close", None, 5, None)]]
    paper = tmp_path / "spec.pdf"
    paper.write_bytes(pdf_bytes(2, "Draft specification"))
    agenda.attach_paper(ctx, items[1], path=paper, title="Draft service specification")
    return {"meeting": mid, "members": members, "earlier": earlier, "items": items}


def test_the_pack_says_what_it_should_on_every_page(ctx, tmp_path):
    sc = _scenario(ctx, tmp_path)
    out = tmp_path / "pack.pdf"
    steps = []
    result = export_pack(ctx, sc["meeting"], out, progress=lambda d, t: steps.append((d, t)))
    pages = _text(out)
    assert result.pages == len(pages) and result.papers_included == 1 and result.marking == "OFFICIAL-SENSITIVE"
    everything = " ".join(pages)
    # Every page, papers included: the marking, the handling line, and Page X of Y.
    for n, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {n} lacks the marking in header and footer"
        assert "share only with the intended recipients" in page
        assert f"Page {n} of {len(pages)}" in page
    # The appended paper's pages are in the pack and counted.
    paper_pages = [n for n, p in enumerate(pages) if "Draft specification page" in p]
    assert len(paper_pages) == 2 and paper_pages[-1] == len(pages) - 1
    cover = pages[0]
    assert "Victims' voice forum: first contact" in cover
    assert "Sunday 29/03/2026, 10:00 to 12:00 (UK time)" in cover
    assert "Riverside Community Centre" in cover and "https://meet.example.org/le-001" in cover
    assert "Contents" in pages[1] and "Agenda" in pages[1] and "Paper: Draft service specification" in pages[1]
    # Agenda with timings from the minutes, and the content note.
    for t in ("10:00", "10:10", "10:40"):
        assert t in everything
    assert "Content note:" in everything and "Discussion of giving evidence at trial." in everything
    assert "skip it" in everything
    # Invitees by name (Unicode, CJK included) and stakeholders with their organisation.
    for first, last in NAMES:
        assert first in everything and last in everything
    assert "Priya Shah" in everything and "Brightwater Advocacy CIC" in everything
    # Access: venue features, the meeting's arrangements, members' needs as counts, never against a name.
    assert "Step-free access" in everything and "Hearing loop" in everything and "Two accessible spaces" in everything
    assert "BSL interpreter booked" in everything
    assert "British Sign Language interpreter: needed by 1 member" in everything
    assert "Interpreter (Polish): needed by 1 member" in everything
    assert "Uses a wheelchair" not in everything, "free-text health needs are never printed"
    # Open actions from the earlier meeting carry in; done ones do not.
    assert "Find out how interpreter needs are recorded" in everything and "A finished action" not in everything
    # You said, we did: answered items only; never a quote or a source.
    assert "Victims are not told who their officer is" in everything
    assert "The ISVA specification now requires a named contact." in everything
    assert "We did not take this forward, because:" in everything
    assert "Still being considered" not in everything
    assert "nobody told me anything" not in everything
    meta = PdfReader(str(out)).metadata
    assert meta.title == "Meeting pack: Victims' voice forum: first contact"
    assert "OFFICIAL-SENSITIVE" in meta.subject and "Police and Crime Commissioner" in meta.author
    assert steps and steps[-1] == (100, 100) and [d for d, _ in steps] == sorted(d for d, _ in steps)
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.pack_export"))
        assert ev.entity_id == sc["meeting"] and "named" in ev.detail


def _member_names(ctx) -> set[str]:
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(Person.first_name, Person.last_name, Person.preferred_name)
                         .where(Person.id.in_(select(MembershipTerm.person_id))))
        return {n for row in rows for n in row if n}


def _names_in(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE))


def test_the_pseudonymised_pack_names_no_member_anywhere(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    sc = _scenario(ctx, tmp_path)
    # Names slipped into free text are withheld too.
    agenda.save_agenda_item(ctx, sc["meeting"], AgendaItemInput("Zoë Clarke's story", presenter="Łukasz",
                                                                content_note="Siobhán will speak about court"))
    agenda.save_action(ctx, sc["earlier"], ActionInput("Call back O'Connor about travel", owner_name="Zoë Clarke"))
    # A paper that names a member is left out of this edition, and the pack says so.
    item = sc["items"][0]
    agenda.attach_paper(ctx, item, file_name="letter.pdf", content=pdf_bytes(1, "Letter from Siobhan O'Connor"),
                        title="Letter")
    out = tmp_path / "pseudo.pdf"
    result = export_pack(ctx, sc["meeting"], out, pseudonymise=True)
    text = " ".join(_text(out))
    names = _member_names(ctx)
    assert len(names) >= 8
    assert _names_in(text, names) == []
    for n in names:
        assert n not in text
    assert "Member A" in text and "Member D" in text and "Member E" not in text
    # The full name in free text becomes that member's own pseudonym.
    story = re.search(r"(Member [A-D])'s story", text)
    assert story, text
    again = tmp_path / "again.pdf"
    export_pack(ctx, sc["meeting"], again, pseudonymise=True)
    assert f"{story.group(1)}'s story" in " ".join(_text(again)), "the letters stay the same for this meeting"
    assert "Presented by [name withheld]" in text and "[name withheld] will speak about court" in text
    assert result.papers_left_out == ["Letter: it names a member, so it is left out of this edition"]
    assert "Not included: Letter: it names a member" in text
    assert "Draft specification page 1" in text, "papers that name nobody are still included"
    meta = PdfReader(str(out)).metadata
    assert _names_in(f"{meta.title} {meta.subject} {meta.author}", names) == []
    # Stakeholders are shown by role and organisation only.
    assert "Service manager" in text and "Brightwater Advocacy CIC" in text and "Priya Shah" not in text


def test_pseudonyms_do_not_follow_alphabetical_order(sqlite_ctx, tmp_path):
    """With the roster in hand, "Member A" must not simply be the first name alphabetically."""
    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY, title="Forum")
    people = [add_member(ctx, f"Person{i:02d}", f"Surname{i:02d}") for i in range(12)]
    attendance.invite(ctx, mid, person_ids=people, confirm=True)
    rows = []
    for i, pid in enumerate(people):
        inv = next(r for r in attendance.invitations(ctx, mid) if r.person_id == pid)
        attendance.set_response(ctx, inv.id, "accepted" if i % 2 else "declined", expected_version=inv.version)
        rows.append("Accepted" if i % 2 else "Declined")
    out = tmp_path / "pseudo.pdf"
    export_pack(ctx, mid, out, pseudonymise=True)
    text = " ".join(_text(out))
    printed = re.findall(r"Member ([A-L]) (Accepted|Declined)", text)
    assert [p for p, _r in printed] == list("ABCDEFGHIJKL")
    assert [r for _p, r in printed] != rows, "replies listed in name order would give each member away"


def test_no_demo_meetings_pseudonymised_pack_names_a_member(demo_ctx, tmp_path):
    names = _member_names(demo_ctx)
    with unit_of_work(demo_ctx, readonly=True) as s:
        ids = list(s.scalars(select(Meeting.id)))
    assert len(ids) == 12
    for mid in ids:
        out = tmp_path / f"pack-{mid}.pdf"
        export_pack(demo_ctx, mid, out, pseudonymise=True)
        text = " ".join(_text(out))
        assert _names_in(text, names) == [], f"meeting {mid}"


def test_user_text_can_never_inject_markup(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY, title="<b>Smith & Jones</b>")
    agenda.save_agenda_item(ctx, mid, AgendaItemInput('<font size="40" color="red">Big</font>',
                                                      presenter='<a href="javascript:alert(1)">x</a>',
                                                      content_note="Tom &amp; Jerry <br/> <para>", minutes=5))
    pid = add_member(ctx, "<i>Ann</i>", "O'Brien & Co")
    attendance.invite(ctx, mid, person_ids=[pid], confirm=True)
    out = tmp_path / "inject.pdf"
    export_pack(ctx, mid, out)
    text = " ".join(_text(out))
    assert "<b>Smith & Jones</b>" in text
    assert '<font size="40" color="red">Big</font>' in text
    assert '<a href="javascript:alert(1)">x</a>' in text
    assert "Tom &amp; Jerry <br/> <para>" in text
    assert "<i>Ann</i> O'Brien & Co" in text
    assert PdfReader(str(out)).metadata.title == "Meeting pack: <b>Smith & Jones</b>"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_escaped_text_always_parses_and_reads_back_literally(value):
    """Whatever is typed, the paragraph builds, and every visible character the fonts
    have (letters, digits, punctuation, symbols: <, >, & and quotes included) prints as itself."""
    import unicodedata

    from reportlab.platypus import Paragraph

    para = Paragraph(pdf.text(value), pdf.styles().body)  # must never raise
    para.wrap(400, 800)
    plain = para.getPlainText()
    for ch in value:
        visible = unicodedata.category(ch)[0] in "LNPS"
        if visible and (ord(ch) in pdf._covered() or ord(ch) in pdf._fallback_covered()):
            assert ch in plain, (ch, plain)


def _body_size(path, pages) -> float:
    sizes: Counter = Counter()
    reader = PdfReader(str(path))

    def visit(text, cm, tm, font, size):
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 if tm else 1
        if text.strip():
            sizes[round(size * scale, 1)] += len(text.strip())

    for n in pages:
        reader.pages[n].extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


def test_large_print_sets_body_text_at_16_point_or_more(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    sc = _scenario(ctx, tmp_path)
    normal, large = tmp_path / "normal.pdf", tmp_path / "large.pdf"
    r1 = export_pack(ctx, sc["meeting"], normal)
    r2 = export_pack(ctx, sc["meeting"], large, large_print=True)
    assert r2.pages > r1.pages
    assert _body_size(normal, range(2, 5)) < 12
    assert _body_size(large, range(2, 5)) >= 16
    assert "large print" in _text(large)[0]


def test_large_print_has_no_line_smaller_than_16_point_not_even_the_marking(sqlite_ctx, tmp_path):
    """Presenters, notes, the handling line, the footer and "Page X of Y" too: a reader who needs
    large print needs it for every line (the attached papers keep their own size)."""
    ctx = sqlite_ctx
    sc = _scenario(ctx, tmp_path)
    out = tmp_path / "large.pdf"
    export_pack(ctx, sc["meeting"], out, large_print=True)
    reader = PdfReader(str(out))
    smallest: dict[str, float] = {}
    checked = 0
    for page in reader.pages:
        if "Draft specification page" in (page.extract_text() or ""):
            continue  # an attached paper, drawn as it was written

        def visit(text, cm, tm, font, size):
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 if tm else 1
            if text.strip():
                smallest[text.strip()] = min(smallest.get(text.strip(), 99.0), round(size * scale, 1))

        page.extract_text(visitor_text=visit)
        checked += 1
    assert checked >= 5
    too_small = {t: s for t, s in smallest.items() if s < 16}
    assert too_small == {}, too_small
    joined = " ".join(smallest)
    assert "Presented by Provider lead" in joined and "Page 1 of" in joined and "OFFICIAL-SENSITIVE" in joined


def test_a_long_title_is_shortened_in_the_footer_but_never_the_date_even_in_large_print(sqlite_ctx, tmp_path):
    """Large print has room for fewer characters: the footer read "... produced 03/12/202..." with the
    date cut. The title gives way, never the date."""
    import re

    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY, title="Victims' voice forum: first contact, reporting and being kept informed")
    for large in (False, True):
        out = tmp_path / f"long-{large}.pdf"
        export_pack(ctx, mid, out, large_print=large)
        footers = [line for page in PdfReader(str(out)).pages for line in (page.extract_text() or "").splitlines()
                   if "produced" in line]
        assert footers, large
        assert all(re.search(r"produced \d{2}/\d{2}/\d{4} \d{2}:\d{2}", line) for line in footers), footers
        assert all("…" in line for line in footers), footers  # the title gave way


def test_fonts_are_embedded_and_cjk_names_print(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY, title="Forum")
    pid = add_member(ctx, "小龍", "李")
    attendance.invite(ctx, mid, person_ids=[pid], confirm=True)
    out = tmp_path / "fonts.pdf"
    export_pack(ctx, mid, out)
    reader = PdfReader(str(out))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            assert desc is not None, f"{font['/BaseFont']} is not embedded"
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile2", "/FontFile", "/FontFile3")), font["/BaseFont"]
    assert any("DejaVuSans" in n for n in names) and any("DroidSansFallback" in n for n in names)
    assert "小龍 李" in " ".join(_text(out))


def test_the_meetings_own_marking_and_the_office_setting_are_used(sqlite_ctx, tmp_path):
    from lived_experience import settings as office

    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY, protective_marking="OFFICIAL")
    out = tmp_path / "official.pdf"
    assert export_pack(ctx, mid, out).marking == "OFFICIAL"
    for page in _text(out):
        assert "OFFICIAL" in page and "OFFICIAL-SENSITIVE" not in page
        assert "Do not publish without the OPCC's agreement." in page
    other = new_meeting(ctx, dt.date(2026, 4, 2))
    assert export_pack(ctx, other, tmp_path / "default.pdf").marking == "OFFICIAL-SENSITIVE"
    office.update(ctx, protective_marking="OFFICIAL")
    assert export_pack(ctx, other, tmp_path / "setting.pdf").marking == "OFFICIAL"


def test_a_cancelled_meeting_pack_says_so_and_bad_paths_are_plain_errors(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY)
    service.cancel_meeting(ctx, mid, "Venue flooded")
    out = tmp_path / "c.pdf"
    export_pack(ctx, mid, out)
    assert "THIS MEETING IS CANCELLED. Venue flooded" in _text(out)[0]
    with pytest.raises(UserError, match=".pdf"):
        export_pack(ctx, mid, tmp_path / "c.docx")
    with pytest.raises(UserError, match="does not exist"):
        export_pack(ctx, mid, tmp_path / "missing" / "c.pdf")
    with pytest.raises(UserError, match="no meeting with id 999"):
        export_pack(ctx, 999, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists() and not list(tmp_path.glob("*.partial"))


def test_marking_the_pack_sent(sqlite_ctx):
    ctx = sqlite_ctx
    mid = new_meeting(ctx, DAY)
    d = service.get_meeting(ctx, mid)
    assert d.pack_sent_at is None
    when = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
    service.mark_pack_sent(ctx, mid, sent_at=when, expected_version=d.version)
    assert service.get_meeting(ctx, mid).pack_sent_at == when
    with pytest.raises(UserError, match="future"):
        service.mark_pack_sent(ctx, mid, sent_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))


def test_pseudonyms_run_past_z():
    assert [pseudonym(i) for i in (0, 1, 25, 26, 27)] == ["Member A", "Member B", "Member Z", "Member AA",
                                                            "Member AB"]


def test_rotated_and_odd_sized_paper_pages_are_drawn_upright_with_the_marking(sqlite_ctx, tmp_path):
    import io

    from pypdf import PdfWriter
    from reportlab.lib.pagesizes import A4, A5, landscape

    ctx = sqlite_ctx
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1, "Turned page", size=A4))))
    writer.pages[0].rotate(90)
    for page in PdfReader(io.BytesIO(pdf_bytes(1, "Small page", size=A5))).pages:
        writer.add_page(page)
    for page in PdfReader(io.BytesIO(pdf_bytes(1, "Wide page", size=landscape(A4)))).pages:
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    mid = new_meeting(ctx, DAY)
    item = agenda.save_agenda_item(ctx, mid, AgendaItemInput("Figures"))
    agenda.attach_paper(ctx, item, file_name="mixed.pdf", content=buf.getvalue(), title="Mixed pages")
    out = tmp_path / "mixed.pdf"
    result = export_pack(ctx, mid, out)
    reader = PdfReader(str(out))
    pages = _text(out)
    assert result.pages == len(pages)
    last3 = reader.pages[-3:]
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in last3]
    assert sizes[0][0] > sizes[0][1], "a page turned 90 degrees gets a landscape page"
    assert round(sizes[1][0]) == round(A5[0]) and sizes[2][0] > sizes[2][1]
    for n, (label, text) in enumerate(zip(["Turned page", "Small page", "Wide page"], pages[-3:], strict=True)):
        assert f"{label} page 1" in text
        assert "OFFICIAL-SENSITIVE" in text and f"Page {len(pages) - 2 + n} of {len(pages)}" in text
        assert "/Rotate" not in last3[n] or int(last3[n]["/Rotate"]) == 0
