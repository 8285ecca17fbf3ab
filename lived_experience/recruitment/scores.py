"""An applicant's score: the mean of every 1-5 score every assessor gave, over
every criterion and method. The applicants list computes the same in SQL
(``lists._score_sql``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Assessment, AssessmentScore


def scores_for(session: Session, application_ids: Iterable[int]) -> dict[int, float]:
    ids = list(application_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Assessment.application_id, func.sum(AssessmentScore.score), func.count(AssessmentScore.id))
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .where(Assessment.application_id.in_(ids))
        .group_by(Assessment.application_id)
    ).all()
    return {aid: round(total / n, 2) for aid, total, n in rows if n}
