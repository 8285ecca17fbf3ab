"""Which stage a commissioning cycle is in, derived from its dates."""

from __future__ import annotations

import datetime as dt

from db.enums import CycleStage
from lived_experience.core import clock

COMPLETE = "complete"
NOT_STARTED = "not_started"


def current_stage(stages, today: dt.date | None = None) -> str:
    """``stages``: objects with stage, position, planned_start/end, actual_start/end.

    The current stage is the latest one that has actually started and not
    finished; failing that, the one whose planned dates contain today. A cycle
    whose stages have all finished is complete; one with nothing started is not
    started.
    """
    today = today or clock.today()
    ordered = sorted(stages, key=lambda s: s.position)
    if not ordered:
        return NOT_STARTED
    started = [s for s in ordered if s.actual_start and s.actual_start <= today]
    open_ = [s for s in started if not s.actual_end or s.actual_end >= today]
    if open_:
        return open_[-1].stage
    if started and all(s.actual_end and s.actual_end < today for s in ordered):
        return COMPLETE
    for s in ordered:
        if s.planned_start and s.planned_end and s.planned_start <= today <= s.planned_end:
            return s.stage
    if started:
        # Between stages: the next one not yet started is the one under way.
        last = started[-1]
        later = [s for s in ordered if s.position > last.position]
        return later[0].stage if later else COMPLETE
    return NOT_STARTED


STAGE_LABELS = {s.value: s.label for s in CycleStage} | {COMPLETE: "Complete", NOT_STARTED: "Not started"}
