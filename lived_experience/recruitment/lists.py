"""The recruitment windows and applicants lists."""

from __future__ import annotations

from sqlalchemy import Float, Numeric, cast, func, select

from db.enums import Area, Basis, Channel, EligibilityDecision, Residence, Stage, WindowStatus
from db.models import Application as A
from db.models import Assessment, AssessmentScore, Person, WindowChannel
from db.models import RecruitmentWindow as W
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec
from lived_experience.recruitment.status import window_status_sql

OFFERED_STAGES = (Stage.OFFERED, Stage.ACCEPTED, Stage.DBS_CLEARED, Stage.MEMBER)


def _count_stage(*stages: Stage):
    q = select(func.count(A.id)).where(A.window_id == W.id)
    if stages:
        q = q.where(A.stage.in_([s.value for s in stages]))
    return q.scalar_subquery()


def _window_channels(session, ctx, rows):
    ids = [r["id"] for r in rows]
    by_window: dict[int, list[str]] = {}
    for wid, ch in session.execute(
        select(WindowChannel.window_id, WindowChannel.channel).where(WindowChannel.window_id.in_(ids))
    ):
        by_window.setdefault(wid, []).append(ch)
    for r in rows:
        r["channels"] = sorted(by_window.get(r["id"], []))


register(
    ListSpec(
        kind="windows",
        title="Recruitment windows",
        entity="recruitment_window",
        source=lambda: W.__table__,
        id_expr=W.id,
        columns=[
            C("name", "Name", W.name, searchable=True, width=260),
            C("status", "Status", window_status_sql, kind="enum", enum=WindowStatus),
            C("opens_on", "Opens", W.opens_on, kind="date"),
            C("closes_on", "Closes", W.closes_on, kind="date"),
            C("places", "Places", W.places, kind="int"),
            C("applications", "Applications", _count_stage(), kind="int"),
            C("offered", "Offered", _count_stage(*OFFERED_STAGES), kind="int"),
            C("reserve", "Reserve", _count_stage(Stage.RESERVE), kind="int"),
            C("filled", "Places filled", _count_stage(Stage.MEMBER), kind="int"),
            C("term_starts_on", "Term starts", W.term_starts_on, kind="date"),
            C("channels", "Advertised on", None, kind="list", sortable=False, enum=Channel),
        ],
        filters=[ListFilter("status", "Status", window_status_sql, enum=WindowStatus)],
        default_sort=("opens_on", True),
        enrich=_window_channels,
        description="Openly advertised periods in which people apply to join the group.",
    )
)


def _score_sql():
    return (
        # NUMERIC, not float: PostgreSQL has round(numeric, int) but no round(double, int).
        select(func.round(cast(func.avg(AssessmentScore.score), Numeric(10, 4, asdecimal=False)), 2,
                          type_=Float))
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.application_id == A.id)
        .scalar_subquery()
    )


register(
    ListSpec(
        kind="applicants",
        title="Applicants",
        entity="application",
        source=lambda: A.__table__.join(Person.__table__, Person.id == A.person_id).join(
            W.__table__, W.id == A.window_id
        ),
        id_expr=A.id,
        columns=[
            C("name", "Name", Person.first_name + " " + Person.last_name, searchable=True, width=200),
            C("person_id", "Person", A.person_id, kind="int", hidden=True),
            C("window", "Window", W.name, searchable=True, width=200),
            C("window_id", "Window id", A.window_id, kind="int", hidden=True),
            C("stage", "Stage", A.stage, kind="enum", enum=Stage),
            C("received_at", "Received", A.received_at, kind="datetime"),
            C("area", "Area", A.home_area, kind="enum", enum=Area),
            C("residence", "Lives/works in LLR", A.residence, kind="enum", enum=Residence),
            C("eligibility", "Eligibility decision", A.eligibility_decision, kind="enum", enum=EligibilityDecision),
            C("basis", "Basis", A.basis, kind="enum", enum=Basis),
            C("how_heard", "Heard via", A.how_heard, kind="enum", enum=Channel),
            C("score", "Score", _score_sql(), kind="float"),
            C("stage_changed_at", "In stage since", A.stage_changed_at, kind="datetime", hidden=True),
        ],
        filters=[
            ListFilter("window", "Window", A.window_id),
            ListFilter("stage", "Stage", A.stage, enum=Stage),
            ListFilter("area", "Area", A.home_area, enum=Area),
            ListFilter("residence", "Eligibility flag", A.residence, enum=Residence),
            ListFilter("eligibility", "Eligibility decision", A.eligibility_decision, enum=EligibilityDecision),
            ListFilter("person", "Person", A.person_id),
        ],
        where=lambda ctx: [A.anonymised_at.is_(None)],
        default_sort=("received_at", True),
        description="Everyone who has applied, one row per application.",
    )
)


register(
    ListSpec(
        kind="recruitment_summary",
        title="Recruitment by window",
        entity="recruitment_window",
        source=lambda: W.__table__,
        id_expr=W.id,
        columns=[
            C("name", "Window", W.name, searchable=True, width=260),
            C("status", "Status", window_status_sql, kind="enum", enum=WindowStatus),
            C("places", "Places", W.places, kind="int"),
            C("applications", "Applications", _count_stage(), kind="int"),
            C("in_progress", "In progress", _count_stage(Stage.RECEIVED, Stage.ELIGIBILITY_CHECKED,
                                                         Stage.SHORTLISTED, Stage.ASSESSED), kind="int"),
            C("offered", "Offered or accepted", _count_stage(*OFFERED_STAGES), kind="int"),
            C("reserve", "Reserve", _count_stage(Stage.RESERVE), kind="int"),
            C("unsuccessful", "Unsuccessful", _count_stage(Stage.UNSUCCESSFUL), kind="int"),
            C("withdrawn", "Withdrawn", _count_stage(Stage.WITHDRAWN), kind="int"),
            C("appointed", "Became members", _count_stage(Stage.MEMBER), kind="int"),
        ],
        default_sort=("name", False),
        description="How each recruitment window went, stage by stage.",
    )
)
