"""The traceability questions, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from lived_experience.commissioning import cycles as cy
from lived_experience.core import clock
from lived_experience.core.errors import ValidationError
from lived_experience.feedback import service as fb
from lived_experience.feedback import traceability as tr
from tests.feedback.helpers import item, make_cycle, make_meeting, make_service, theme_ids


def _to_actioned(ctx, fid, response="We added evening sessions", report=False):
    for step in (fb.StepInput("under_consideration"),
                 fb.StepInput("response_agreed", response=response, owner_name="CM", due_on=clock.today()),
                 fb.StepInput("actioned")):
        fb.move_feedback(ctx, fid, step, fb.get_feedback(ctx, fid).version)
    if report:
        fb.move_feedback(ctx, fid, fb.StepInput("reported_back", reported_on=clock.today(), reported_how="Forum"),
                         fb.get_feedback(ctx, fid).version)


@pytest.fixture
def world(ctx):
    isva = make_service(ctx, "Adult ISVA service", "isva")
    sarc = make_service(ctx, "Adult SARC", "sarc")
    make_service(ctx, "Counselling", "counselling")  # no feedback at all
    isva_cycle = make_cycle(ctx, isva, "ISVA 2026", starts_days_ago=60)
    return ctx, isva, sarc, isva_cycle


def test_what_the_group_changed_in_a_service(world):
    ctx, isva, sarc, _ = world
    a = item(ctx, summary="Evening access needed", service_ids=[isva])
    b = item(ctx, summary="Waiting room is not private", service_ids=[isva, sarc])
    item(ctx, summary="Still thinking about this", service_ids=[isva])
    _to_actioned(ctx, a)
    _to_actioned(ctx, b, response="Private rooms now used", report=True)
    changes = {c.service_name: c for c in tr.changes_by_service(ctx)}
    assert [i.summary for i in changes["Adult ISVA service"].items] == ["Evening access needed",
                                                                        "Waiting room is not private"]
    assert changes["Adult SARC"].items[0].response == "Private rooms now used"
    assert changes["Counselling"].items == []  # the gap is visible
    # Another year: nothing changed then.
    last = clock.today().year - 2
    old = tr.changes_by_service(ctx, dt.date(last, 1, 1), dt.date(last, 12, 31))
    assert all(not c.items for c in old)
    with pytest.raises(ValidationError, match="before it starts"):
        tr.changes_by_service(ctx, clock.today(), clock.today() - dt.timedelta(days=1))


def test_which_feedback_informed_a_decision(world):
    ctx, isva, _, cycle = world
    themes = theme_ids(ctx)
    f1 = item(ctx, summary="No named contact", cycle_id=cycle, theme_ids=[themes["Communication and updates"]],
              rights=[3])
    f2 = item(ctx, summary="Updates are rare", cycle_id=cycle, rights=[6])
    item(ctx, summary="Unrelated point", service_ids=[isva])
    did = cy.record_decision(ctx, cycle, cy.DecisionInput(clock.today(), "Police and Crime Commissioner",
                                                          "Specification requires a named contact",
                                                          feedback_ids=[f1, f2]))
    ev = tr.decision_evidence(ctx, did)
    assert [f.summary for f in ev.feedback] == ["No named contact", "Updates are rare"]
    assert ev.feedback[0].themes == ["Communication and updates"] and ev.feedback[0].rights == [3]
    assert ev.decided_by == "Police and Crime Commissioner" and ev.service_name == "Adult ISVA service"


def test_rights_grid_counts_and_shows_the_gaps(world):
    ctx, isva, sarc, cycle = world
    item(ctx, summary="a", cycle_id=cycle, rights=[1, 4])
    item(ctx, summary="b", service_ids=[isva], rights=[4])  # no cycle, received during it: counts
    item(ctx, summary="c", service_ids=[isva], rights=[7], days_ago=200)  # before the cycle began: not
    item(ctx, summary="d", service_ids=[sarc], rights=[2])  # SARC has no cycle: not "this cycle"
    grid = tr.rights_grid(ctx)
    rows = {r.service_name: r for r in grid.rows}
    isva_row = rows["Adult ISVA service"]
    assert isva_row.count(4) == 2 and isva_row.count(1) == 1 and isva_row.count(7) == 0
    assert isva_row.cycle_name == "ISVA 2026" and isva_row.stage_label == "Analyse"
    assert rows["Adult SARC"].counts == {} and rows["Adult SARC"].cycle_name is None
    assert grid.rights_with_no_feedback == [2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert len(grid.rights) == 12
    # Over a period instead: every row covers the same dates.
    year = tr.rights_grid(ctx, date_from=clock.today() - dt.timedelta(days=365), date_to=clock.today())
    rows = {r.service_name: r for r in year.rows}
    assert rows["Adult ISVA service"].count(7) == 1 and rows["Adult SARC"].count(2) == 1


def test_themes_that_keep_coming_back(world):
    ctx, isva, _, _ = world
    themes = theme_ids(ctx)
    wait = themes["Waiting times and delays"]
    court = themes["Court and trial process"]
    m1 = make_meeting(ctx, "Forum one", days_ago=100)
    m2 = make_meeting(ctx, "Forum two", days_ago=10)
    item(ctx, summary="w1", meeting_id=m1, theme_ids=[wait], days_ago=100)
    item(ctx, summary="w2", meeting_id=m2, theme_ids=[wait], days_ago=10)
    item(ctx, summary="w3", theme_ids=[wait], days_ago=9)
    item(ctx, summary="c1", meeting_id=m2, theme_ids=[court], days_ago=10)
    trends = tr.recurring_themes(ctx, clock.today() - dt.timedelta(days=120), clock.today(), period="month")
    first = trends.themes[0]
    assert first.theme == "Waiting times and delays" and first.total == 3 and first.meetings == 2
    assert first.recurring and sum(first.counts) == 3
    court_trend = next(t for t in trends.themes if t.theme == "Court and trial process")
    assert court_trend.total == 1 and not court_trend.recurring
    assert len(trends.periods) in (4, 5)


def test_the_traceability_workbook(world, tmp_path):
    ctx, isva, _, cycle = world
    f = item(ctx, summary="=HYPERLINK(\"http://evil\")", cycle_id=cycle, rights=[5])
    _to_actioned(ctx, f, response="+cmd|' /C calc'!A0")
    cy.record_decision(ctx, cycle, cy.DecisionInput(clock.today(), "PCC", "Decision", feedback_ids=[f]))
    res = tr.export_traceability(ctx, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(res.path)
    assert wb.sheetnames[:4] == ["Changes by service", "Decisions and evidence", "Rights grid", "Recurring themes"]
    for ws in wb.worksheets[:5]:
        assert ws.freeze_panes == "A2" and (ws.tables or ws.auto_filter.ref)  # an empty sheet: filters only
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    changes = wb["Changes by service"]
    texts = [c.value for row in changes.iter_rows() for c in row]
    assert "=HYPERLINK(\"http://evil\")" in texts and "+cmd|' /C calc'!A0" in texts
    grid = wb["Rights grid"]
    header = [c.value for c in grid[1]]
    assert header[3:15] == [f"Right {n}" for n in range(1, 13)]
