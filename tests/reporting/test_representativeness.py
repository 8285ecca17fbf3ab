"""The representativeness report: who is counted, "not stated" and "prefer not to say" kept, small numbers
suppressed, the census comparison, permissions, and the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from db import models as m
from lived_experience.core import clock
from lived_experience.core.errors import NotFound, PermissionDenied
from lived_experience.reporting.census import load_census
from lived_experience.reporting.representativeness import ALL, MEMBERS, NOT_STATED, build_report
from lived_experience.reporting.representativeness_pdf import export_representativeness
from lived_experience.reporting.suppression import HIDDEN_TEXT, SMALL_TEXT
from tests.conftest import as_role
from tests.dashboard.records import Records


def applicant(r: Records, window: int, n: int, *, form: bool = True, channel="opcc_website", area="city",
              **answers) -> int:
    p = r.person(f"Applicant{n}", "Tester")
    app = r.application(p, window, "received", home_area=area, how_heard=channel)
    if form:
        r.equality(app, window, area=area, how_heard=channel, **answers)
    return app


@pytest.fixture
def cohort(ctx):
    """Window A: 20 White women, 10 Asian men (one a member), 6 with no form, 1 anonymised; window B: 5 White
    women, 5 Asian men and one who preferred not to say."""
    r = Records(ctx)
    a = r.window("Window A", opens=dt.date(2025, 1, 1), closes=dt.date(2025, 2, 1))
    b = r.window("Window B", opens=dt.date(2026, 1, 1), closes=dt.date(2026, 2, 1))
    n = 0
    for _ in range(20):
        n += 1
        applicant(r, a, n, ethnic_group="white", sex="female", age_band="25-34", disability="no", area="county")
    member_app = None
    for i in range(10):
        n += 1
        app = applicant(r, a, n, ethnic_group="asian", sex="male", age_band="45-54", disability="yes",
                        channel="social_media")
        if i == 0:
            member_app = app
    for _ in range(6):
        n += 1
        applicant(r, a, n, form=False, area="city_or_county", channel=None)
    for i in range(10):
        n += 1
        if i < 5:
            applicant(r, b, n, ethnic_group="white", sex="female", age_band="25-34", disability="no",
                      area="county")
        else:
            applicant(r, b, n, ethnic_group="asian", sex="male", age_band="45-54", disability="yes",
                      channel="social_media")
    n += 1
    applicant(r, b, n, ethnic_group="prefer_not_to_say", sex="prefer_not_to_say", age_band="prefer_not_to_say",
              disability="prefer_not_to_say")
    # An anonymised applicant: the answers survive, detached, as a count in window A.
    r.equality(None, a, ethnic_group="black", sex="female", area="rutland")
    person = r.person("Member", "Now")
    r.term(person, clock.today() - dt.timedelta(days=30), clock.today() + dt.timedelta(days=500),
           application_id=member_app)
    return {"a": a, "b": b}


def every_figure(report):
    for t in report.tables:
        yield from t.figures.values()
        yield from t.channel_totals.values()
        yield from t.channel_figures.values()


def test_who_is_counted(ctx, cohort):
    report = build_report(ctx, audit_view=False)
    totals = {w.label: w.total for w in report.windows}
    assert totals == {"Window A": 37, "Window B": 11}  # 36 applications + 1 anonymised, kept as a count
    assert report.all_windows.total == 48
    assert report.members.total == 1
    ethnic = report.table("ethnic_group")
    assert ethnic.figure(f"window:{cohort['a']}", "white").value == 20
    assert ethnic.figure(f"window:{cohort['a']}", "asian").value == 10
    # No form at all is "not stated", counted and shown.
    assert ethnic.figure(f"window:{cohort['a']}", NOT_STATED).text in ("6", HIDDEN_TEXT)
    assert ethnic.figure(ALL, "white").value == 25
    assert ethnic.figure(ALL, "white").percent == pytest.approx(100 * 25 / 48)
    assert ethnic.figure(f"window:{cohort['b']}", "prefer_not_to_say").text == SMALL_TEXT


def test_not_stated_and_prefer_not_to_say_are_rows_of_their_own(ctx, cohort):
    report = build_report(ctx, audit_view=False)
    for table in report.tables:
        keys = [c.key for c in table.topic.categories]
        assert keys[-1] == NOT_STATED
        if table.topic.key != "area":
            assert "prefer_not_to_say" in keys
    # Every applicant is in exactly one row of each characteristic: nothing dropped.
    area = report.table("area")
    assert [c.key for c in area.topic.categories] == ["city", "county", "rutland", "city_or_county", "outside",
                                                      NOT_STATED]
    assert area.figure(ALL, "county").text in ("25", HIDDEN_TEXT)
    assert area.figure(ALL, "city_or_county").text in ("6", HIDDEN_TEXT)
    # Before suppression, every applicant is in exactly one row.
    from collections import Counter

    from lived_experience.core.uow import unit_of_work
    from lived_experience.reporting import representativeness as rep

    with unit_of_work(ctx, readonly=True) as s:
        applicants, _members, _windows = rep._load(s, clock.today())
    for topic in rep.topics():
        got = Counter(rep._value(a, topic) for a in applicants)
        assert sum(got.values()) == 48 and set(got) <= {c.key for c in topic.categories}
    by_area = Counter(rep._value(a, rep.topics()[0]) for a in applicants)
    assert by_area == {"county": 25, "city": 16, "city_or_county": 6, "rutland": 1}


def test_no_count_under_five_is_ever_shown_and_hidden_ones_have_no_percentage(ctx, cohort):
    report = build_report(ctx, audit_view=False)
    seen_small = False
    for f in every_figure(report):
        if f.value is not None:
            assert f.value >= 5
        else:
            assert f.text in (SMALL_TEXT, HIDDEN_TEXT) and f.percent is None
            seen_small = seen_small or f.text == SMALL_TEXT
    assert seen_small
    # The member (one person) is never visible as a number.
    assert all(report.table(t.topic.key).figure(MEMBERS, c.key).value is None
               for t in report.tables for c in t.topic.categories)


def test_one_window_and_the_census_comparison(ctx, cohort):
    report = build_report(ctx, cohort["b"], audit_view=False)
    assert report.chosen.label == "Window B" and report.chosen.total == 11
    census = load_census()
    ages = census.percents["age_band"]
    assert "0-14" not in ages and sum(ages.values()) == pytest.approx(100, abs=0.3)
    age = report.table("age_band").topic
    assert next(c for c in age.categories if c.key == "16-24").census == ages["15-24"]
    assert "0 to 14 band is left out" in age.census_note
    area = report.table("area").topic
    assert sum(c.census for c in area.categories if c.census) == pytest.approx(100, abs=0.2)
    with pytest.raises(NotFound):
        build_report(ctx, 999_999, audit_view=False)


def test_channels_reached_which_groups(ctx, cohort):
    ethnic = build_report(ctx, audit_view=False).table("ethnic_group")
    channels = dict(ethnic.channels)
    assert {"opcc_website", "social_media", NOT_STATED} <= set(channels)
    assert ethnic.channel_totals["opcc_website"].value == 26
    assert ethnic.channel_totals["social_media"].value == 15
    # 26 through the website: 25 White and one who preferred not to say. Showing the 25 would give that
    # one person away, so it is hidden too.
    assert ethnic.channel_figures[("opcc_website", "prefer_not_to_say")].text == SMALL_TEXT
    assert ethnic.channel_figures[("opcc_website", "white")].text == HIDDEN_TEXT
    # All 15 through social media were Asian: the zeros beside them would say so, so the 15 is hidden.
    assert ethnic.channel_figures[("social_media", "asian")].text == HIDDEN_TEXT
    assert ethnic.channel_figures[("social_media", "white")].text == SMALL_TEXT


def test_viewers_are_refused_and_views_are_audited(ctx, cohort):
    from sqlalchemy import select

    from lived_experience.core.uow import unit_of_work

    with pytest.raises(PermissionDenied):
        build_report(as_role(ctx, "viewer"))
    build_report(as_role(ctx, "coordinator"))
    with unit_of_work(ctx, readonly=True) as s:
        actions = list(s.scalars(select(m.AuditEvent.action).where(m.AuditEvent.entity == "equality_monitoring")))
    assert "denied" in actions and "report.view" in actions


def test_the_pdf_is_marked_and_names_nobody(ctx, cohort, tmp_path):
    out = tmp_path / "rep.pdf"
    export_representativeness(as_role(ctx, "coordinator"), out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "OFFICIAL" in text and "Representativeness" in text
    assert "fewer than 5" in text and "Not stated" in text and "Prefer not to say" in text
    assert "Applicant1" not in text and "Tester" not in text and "Member Now" not in text
    assert "LLR population" in text and "Which recruitment channels reached which groups" in text
    with pytest.raises(PermissionDenied):
        export_representativeness(as_role(ctx, "viewer"), tmp_path / "no.pdf")
    assert not (tmp_path / "no.pdf").exists()


def test_the_demo_report_builds_for_every_window(demo_ctx, tmp_path):
    report = build_report(demo_ctx, audit_view=False)
    assert report.all_windows.total >= 60 and report.members.total == 10
    for w in report.windows:
        one = build_report(demo_ctx, int(w.key.split(":")[1]), audit_view=False)
        assert one.chosen.total == w.total
    out = export_representativeness(demo_ctx, tmp_path / "demo.pdf", window_id=int(report.windows[0].key[7:]))
    assert len(PdfReader(out.path).pages) >= 3


def test_the_demo_pdf_tables_break_between_words_only(demo_ctx, tmp_path):
    """Looked at as pages: headings were split inside words ("All wind/ows", "Membe/rs now") and "fewer than
    5" left its 5 alone on a line. Every word of a heading is whole, and no line is a lone 5."""
    out = export_representativeness(demo_ctx, tmp_path / "demo.pdf")
    lines = [line.strip() for page in PdfReader(out.path).pages for line in page.extract_text().splitlines()]
    text = "\n".join(lines)
    for word in ("windows", "Members", "Everyone", "determined", "Prefer"):
        assert word in text, word
    for fragment in ("ows", "rs now", "ulation", "e", "mined", "wind", "Membe"):
        assert fragment not in lines, fragment
    assert not [line for line in lines if line.endswith("fewer than")]  # the 5 went to the next line
    assert "Channels by disability (Equality Act 2010)" in text
