"""The current stage of a cycle, derived from its dates (no database needed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from lived_experience.commissioning.stages import STAGE_LABELS, CurrentStage, current_stage

TODAY = dt.date(2026, 11, 23)


@dataclass
class St:
    stage: str
    position: int
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def plan(*ranges):
    """Four stages planned over the given (start, end) day offsets."""
    names = ["analyse", "plan", "do", "review"]
    return [St(n, i, days(a), days(b)) for i, (n, (a, b)) in enumerate(zip(names, ranges, strict=True))]


@pytest.mark.parametrize("setup,expected", [
    # Planned dates only: the stage whose dates contain today.
    (lambda s: None, "plan"),
    # Analyse actually still going, though Plan was due to start: Analyse.
    (lambda s: setattr(s[0], "actual_start", days(-100)), "analyse"),
    # Analyse finished: the next stage, Plan.
    (lambda s: (setattr(s[0], "actual_start", days(-100)), setattr(s[0], "actual_end", days(-90))), "plan"),
    # Plan started and open: Plan, even when today is inside Do's planned dates.
    (lambda s: (setattr(s[0], "actual_start", days(-100)), setattr(s[0], "actual_end", days(-50)),
                setattr(s[1], "actual_start", days(-49))), "plan"),
    # A stage that ends today is still the current one.
    (lambda s: (setattr(s[0], "actual_start", days(-100)), setattr(s[0], "actual_end", TODAY)), "analyse"),
])
def test_rules(setup, expected):
    stages = plan((-120, -10), (-9, 30), (31, 90), (91, 200))
    setup(stages)
    assert current_stage(stages, TODAY) == expected


def test_late_plan_is_not_skipped_when_analyse_has_finished():
    stages = plan((-200, -150), (-149, -100), (-99, 50), (51, 100))  # today inside Do's plan
    stages[0].actual_start, stages[0].actual_end = days(-200), days(-140)
    assert current_stage(stages, TODAY) == "plan"


def test_analyse_finished_early_moves_on_to_plan():
    stages = plan((-60, 20), (21, 60), (61, 90), (91, 200))  # today inside Analyse's planned dates
    stages[0].actual_start, stages[0].actual_end = days(-60), days(-5)
    assert current_stage(stages, TODAY) == "plan"


def test_all_done_is_complete_and_nothing_is_not_started():
    stages = plan((-400, -300), (-299, -200), (-199, -100), (-99, -1))
    assert current_stage(stages, TODAY) == "not_started"
    for s in stages:
        s.actual_start, s.actual_end = s.planned_start, s.planned_end
    assert current_stage(stages, TODAY) == "complete"
    assert current_stage([], TODAY) == "not_started"


def test_every_answer_has_words():
    for value in CurrentStage.values():
        assert STAGE_LABELS[value] == CurrentStage(value).label
    assert CurrentStage("not_started").label == "Not started"
