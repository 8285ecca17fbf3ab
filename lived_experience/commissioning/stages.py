"""Which stage a commissioning cycle is in, derived from its dates."""

from __future__ import annotations

import datetime as dt

from db.enums import CycleStage, Labelled
from lived_experience.core import clock

COMPLETE = "complete"
NOT_STARTED = "not_started"


class CurrentStage(Labelled):
    """What ``current_stage`` can say: a stage, or the whole cycle not started or complete."""

    NOT_STARTED = NOT_STARTED
    ANALYSE = CycleStage.ANALYSE.value
    PLAN = CycleStage.PLAN.value
    DO = CycleStage.DO.value
    REVIEW = CycleStage.REVIEW.value
    COMPLETE = COMPLETE


def current_stage(stages, today: dt.date | None = None) -> str:
    """``stages``: objects with stage, position, planned_start/end, actual_start/end.

    Actual dates come first, because they say what has really happened:

    1. the latest stage that has actually started and not yet finished;
    2. when every stage has finished: complete;
    3. when some stage has started but none is open (between stages): the first
       stage after the last one started;
    4. with no actual dates at all, the stage whose planned dates contain today;
    5. otherwise: not started.
    """
    today = today or clock.today()
    ordered = sorted(stages, key=lambda s: s.position)
    if not ordered:
        return NOT_STARTED
    started = [s for s in ordered if s.actual_start and s.actual_start <= today]
    open_ = [s for s in started if not s.actual_end or s.actual_end >= today]
    if open_:
        return open_[-1].stage
    if all(s.actual_end and s.actual_end < today for s in ordered):
        return COMPLETE
    if started:
        last = started[-1]
        later = [s for s in ordered if s.position > last.position]
        return later[0].stage if later else COMPLETE
    for s in ordered:
        if s.planned_start and s.planned_end and s.planned_start <= today <= s.planned_end:
            return s.stage
    return NOT_STARTED


STAGE_LABELS = {s.value: s.label for s in CycleStage} | {COMPLETE: "Complete", NOT_STARTED: "Not started"}
