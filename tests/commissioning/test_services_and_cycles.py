"""The services register, due-diligence visits, cycles, stages, activities and decisions."""

from __future__ import annotations

import datetime as dt

import pytest

from lived_experience.commissioning import cycles as cy
from lived_experience.commissioning import services as cs
from lived_experience.core import clock
from lived_experience.core.errors import ConflictError, PermissionDenied, ValidationError
from lived_experience.dashboard.service import due_items
from lived_experience.listing.query import list_all
from tests.conftest import as_role
from tests.feedback.helpers import item, make_service


def test_a_service_with_its_contract_and_value(ctx):
    today = clock.today()
    sid = make_service(ctx, "Adult ISVA service", "isva", contract_start=today - dt.timedelta(days=700),
                       contract_end=today + dt.timedelta(days=100), annual_value_pence=42_000_000,
                       description="Independent sexual violence advocates for adults")
    d = cs.get_service(ctx, sid)
    assert d.provider == "Provider Ltd" and d.annual_value_pence == 42_000_000
    assert d.days_to_contract_end == 100 and d.ending_soon
    # Contracts ending within the office's window show on the dashboard.
    assert [i.entity_id for i in due_items(ctx) if i.category == "contracts"] == [sid]
    assert cs.contracts_ending(ctx)[0][0] == sid
    assert cs.contracts_ending(ctx, days=30) == []
    rows = list_all(ctx, "services").rows
    assert rows[0]["annual_value_pence"] == 42_000_000 and rows[0]["current_stage"] is None


@pytest.mark.parametrize("change,message", [
    ({"name": ""}, "name"),
    ({"kind": "spaceship"}, "Kind"),
    ({"annual_value_pence": -5}, "negative"),
    ({"contract_start": dt.date(2026, 5, 1), "contract_end": dt.date(2026, 4, 1)}, "before it starts"),
    ({"provider_id": 9999}, "no organisation"),
])
def test_bad_service_input_is_refused(ctx, change, message):
    data = cs.ServiceInput(name="A service", kind="idva")
    for k, v in change.items():
        setattr(data, k, v)
    with pytest.raises(ValidationError, match=message):
        cs.create_service(ctx, data)


def test_adding_a_service_warns_about_existing_ones(ctx):
    make_service(ctx, "Adult Independent Sexual Violence Advocate service", "isva",
                 description="Independent sexual violence advocates supporting adult victims")
    make_service(ctx, "Counselling for survivors", "counselling", description="Counselling after sexual violence")
    new = cs.ServiceInput(name="Male victims ISVA", kind="isva",
                          description="Independent sexual violence advocates for male victims")
    with pytest.raises(cs.DuplicateWarning) as exc:
        cs.create_service(ctx, new)
    assert [m.name for m in exc.value.matches] == ["Adult Independent Sexual Violence Advocate service"]
    assert "same kind" in exc.value.matches[0].reason
    sid = cs.create_service(ctx, new, allow_duplicate=True)
    assert cs.get_service(ctx, sid).name == "Male victims ISVA"
    # A different kind with little in common is not a duplicate.
    assert cs.find_possible_duplicates(ctx, "Restorative justice", "restorative_justice",
                                       "Meetings between victims and offenders") == []
    with pytest.raises(ValidationError, match="already a service called"):
        cs.create_service(ctx, cs.ServiceInput(name="male victims isva", kind="other"), allow_duplicate=True)


def test_due_diligence_visits_like_table_one(ctx):
    sid = make_service(ctx)
    vid = cs.add_visit(ctx, sid, cs.VisitInput(clock.today() - dt.timedelta(days=3), "Deputy PCC",
                                                "Residents in Oadby", "Safety kits supplied to households",
                                                "Increased confidence of residents"))
    with pytest.raises(ValidationError, match="what was seen or the outcome"):
        cs.add_visit(ctx, sid, cs.VisitInput(clock.today(), "Deputy PCC"))
    with pytest.raises(ValidationError, match="who visited"):
        cs.add_visit(ctx, sid, cs.VisitInput(clock.today(), " ", outcome="Fine"))
    v = cs.get_service(ctx, sid).visits[0]
    assert (v.visited_by, v.area_and_work) == ("Deputy PCC", "Residents in Oadby")
    cs.update_visit(ctx, vid, cs.VisitInput(v.visited_on, "DPCC and commissioning officer", v.area_and_work,
                                            v.what_was_seen, v.outcome), v.version)
    with pytest.raises(ConflictError):
        cs.update_visit(ctx, vid, cs.VisitInput(v.visited_on, "Someone", outcome="x"), v.version)
    cs.delete_visit(ctx, vid, None)
    assert cs.get_service(ctx, sid).visits == []


def test_a_cycle_has_four_stages_and_their_activities(ctx):
    sid = make_service(ctx)
    start = clock.today() - dt.timedelta(days=10)
    cid = cy.create_cycle(ctx, sid, "ISVA recommissioning 2027", start)
    c = cy.get_cycle(ctx, cid)
    assert [s.stage for s in c.stages] == ["analyse", "plan", "do", "review"]
    assert [a.kind for a in c.stages[0].activities] == ["consult_incumbent", "consult_service_users",
                                                       "consult_stakeholders"]
    assert [a.kind for a in c.stages[1].activities] == ["equality_impact_assessment"]
    assert [a.kind for a in c.stages[3].activities] == ["monitoring", "due_diligence"]
    assert c.stages[0].planned_start == start and c.stages[1].planned_start == c.stages[0].planned_end + dt.timedelta(1)
    # Planned dates alone: today falls in Analyse.
    assert c.current_stage == "analyse"
    with pytest.raises(ValidationError, match="already has a cycle"):
        cy.create_cycle(ctx, sid, "isva recommissioning 2027")


def test_the_current_stage_follows_the_actual_dates(ctx):
    sid = make_service(ctx)
    today = clock.today()
    cid = cy.create_cycle(ctx, sid, "Cycle", today - dt.timedelta(days=200))
    c = cy.get_cycle(ctx, cid)
    analyse, plan = c.stages[0], c.stages[1]
    with pytest.raises(ValidationError, match="cannot start before Analyse"):
        cy.update_stage(ctx, plan.id, cy.StageDates(plan.planned_start, plan.planned_end,
                                                    today - dt.timedelta(days=5)), plan.version)
    cy.update_stage(ctx, analyse.id, cy.StageDates(analyse.planned_start, analyse.planned_end,
                                                   today - dt.timedelta(days=200), today - dt.timedelta(days=20)),
                    analyse.version)
    cy.update_stage(ctx, plan.id, cy.StageDates(plan.planned_start, plan.planned_end,
                                                today - dt.timedelta(days=19)), plan.version)
    c = cy.get_cycle(ctx, cid)
    assert c.current_stage == "plan" and c.stages[1].is_current and c.stages[0].state == "Done"
    with pytest.raises(ValidationError, match="in the future"):
        cy.update_stage(ctx, c.stages[1].id, cy.StageDates(actual_start=today + dt.timedelta(days=2)),
                        c.stages[1].version)
    with pytest.raises(ValidationError, match="before the actual start"):
        cy.update_stage(ctx, c.stages[1].id, cy.StageDates(actual_start=today - dt.timedelta(days=3),
                                                           actual_end=today - dt.timedelta(days=4)),
                        c.stages[1].version)
    rows = {r["id"]: r for r in list_all(ctx, "services").rows}
    assert rows[sid]["current_stage"] == "plan" and rows[sid]["current_cycle"] == "Cycle"


def test_activities_belong_to_their_stage_and_the_eia_has_a_reference(ctx):
    sid = make_service(ctx)
    c = cy.get_cycle(ctx, cy.create_cycle(ctx, sid, "Cycle", clock.today() - dt.timedelta(days=40)))
    plan, do = c.stages[1], c.stages[2]
    eia = plan.activities[0]
    with pytest.raises(ValidationError, match="reference"):
        cy.update_activity(ctx, eia.id, cy.ActivityInput("equality_impact_assessment", clock.today()), eia.version)
    cy.update_activity(ctx, eia.id, cy.ActivityInput("equality_impact_assessment", clock.today(), "EIA-2026-014"),
                       eia.version)
    with pytest.raises(ValidationError, match="not part of the Do stage"):
        cy.add_activity(ctx, do.id, cy.ActivityInput("monitoring"))
    gid = cy.add_activity(ctx, do.id, cy.ActivityInput("grant", notes="Grant to a voluntary provider"))
    c = cy.get_cycle(ctx, c.id)
    assert c.stages[1].activities[0].reference == "EIA-2026-014"
    assert [a.kind for a in c.stages[2].activities] == ["procurement", "grant"]
    cy.delete_activity(ctx, gid, None)


def test_decisions_record_who_when_and_the_feedback_behind_them(ctx):
    sid = make_service(ctx)
    cid = cy.create_cycle(ctx, sid, "Cycle", clock.today() - dt.timedelta(days=40))
    f1 = item(ctx, cycle_id=cid)
    f2 = item(ctx, service_ids=[sid])
    with pytest.raises(ValidationError, match="Say who made the decision"):
        cy.record_decision(ctx, cid, cy.DecisionInput(clock.today(), "", "Something"))
    with pytest.raises(ValidationError, match="no feedback item with id 999"):
        cy.record_decision(ctx, cid, cy.DecisionInput(clock.today(), "PCC", "Something", feedback_ids=[999]))
    did = cy.record_decision(ctx, cid, cy.DecisionInput(clock.today(), "Police and Crime Commissioner",
                                                        "Named contact in the specification", stage="plan",
                                                        feedback_ids=[f1]))
    d = cy.get_cycle(ctx, cid).decisions[0]
    assert d.feedback_ids == [f1] and d.stage == "plan"
    cy.update_decision(ctx, did, cy.DecisionInput(d.decided_on, d.decided_by, d.summary, stage="plan",
                                                  feedback_ids=[f1, f2]), d.version)
    c = cy.get_cycle(ctx, cid)
    assert c.decisions[0].feedback_ids == [f1, f2] and c.feedback_count == 2
    candidates = cy.evidence_candidates(ctx, cid)
    assert [f.id for f in candidates][:1] == [f1] and {f.id for f in candidates} == {f1, f2}


def test_a_viewer_cannot_change_commissioning(ctx):
    sid = make_service(ctx)
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        cy.create_cycle(viewer, sid, "Cycle")
    with pytest.raises(PermissionDenied):
        cs.add_visit(viewer, sid, cs.VisitInput(clock.today(), "X", outcome="Y"))
    assert cs.get_service(viewer, sid).name


def test_visits_cycles_decisions_and_themes_are_lists_too(ctx):
    """Each can be listed (--json), filtered by service and exported like any other list."""
    from lived_experience.core.errors import UserError
    from lived_experience.feedback import service as fb

    sid = make_service(ctx)
    other = make_service(ctx, "Adult SARC", "sarc")
    cs.add_visit(ctx, sid, cs.VisitInput(clock.today() - dt.timedelta(days=3), "Deputy PCC", "Residents in Oadby",
                                         "Safety kits supplied", "Increased confidence"))
    cs.add_visit(ctx, other, cs.VisitInput(clock.today() - dt.timedelta(days=9), "DPCC", outcome="Delivering"))
    cid = cy.create_cycle(ctx, sid, "ISVA 2027", clock.today() - dt.timedelta(days=20))
    tid = fb.add_theme(ctx, "Evening access")
    f1 = item(ctx, cycle_id=cid, theme_ids=[tid])
    f2 = item(ctx, service_ids=[sid], theme_ids=[tid], days_ago=5)
    cy.record_decision(ctx, cid, cy.DecisionInput(clock.today(), "Police and Crime Commissioner", "Evening sessions",
                                                  stage="analyse", feedback_ids=[f2, f1]))

    visits = list_all(ctx, "visits", filters={"service": sid}).rows
    assert [(v["visited_by"], v["area_and_work"]) for v in visits] == [("Deputy PCC", "Residents in Oadby")]
    assert len(list_all(ctx, "visits").rows) == 2
    cycle = list_all(ctx, "cycles", filters={"service": str(sid)}).rows[0]
    assert (cycle["name"], cycle["current_stage"], cycle["feedback"], cycle["decisions"]) == \
        ("ISVA 2027", "analyse", 1, 1)
    decision = list_all(ctx, "decisions", filters={"cycle": cid}).rows[0]
    assert decision["feedback_ids"] == sorted([f1, f2]) and decision["service"] == "Adult ISVA service"
    assert list_all(ctx, "decisions", filters={"service": other}).rows == []
    theme = next(r for r in list_all(ctx, "themes").rows if r["id"] == tid)
    assert theme["items"] == 2 and theme["is_active"] and theme["last_received_on"] == clock.today() - dt.timedelta(2)
    with pytest.raises(UserError, match="needs a number"):
        list_all(ctx, "visits", filters={"service": "ISVA"})
