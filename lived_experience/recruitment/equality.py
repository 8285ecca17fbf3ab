"""Equality monitoring: the questions, their answers, and who may see them.

The answers live in their own table (``EqualityMonitoring``), apart from the
application. Every question is optional (no answer is stored as NULL and
counted as "not stated") and every question offers "prefer not to say".

The vocabularies below are the one source for forms, the spreadsheet import
(``parse_answer`` reads what applicants typed) and the representativeness
reports (``Option.census`` names the matching category in
``resources/reference/llr_census_2021.csv``).

Reading answers needs ``Perm.EQUALITY_READ`` and writing them
``Perm.EQUALITY_WRITE``; both are audited (field names only, never values).
Viewers never see them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Stage
from db.functions import fold_text
from db.models import Application, EqualityMonitoring
from lived_experience.core.context import Actor, AppContext
from lived_experience.core.errors import ValidationError
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

PREFER_NOT_TO_SAY = "prefer_not_to_say"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"
NOT_STATED_LABEL = "Not stated"


@dataclass(frozen=True)
class Option:
    value: str  # stored
    label: str  # shown
    census: str | None = None  # the category in llr_census_2021.csv it counts towards
    synonyms: tuple[str, ...] = ()  # folded words an applicant may have typed


@dataclass(frozen=True)
class Question:
    key: str  # the EqualityMonitoring column
    label: str  # the question as asked
    short: str  # a heading for tables and reports
    options: tuple[Option, ...]
    census_topic: str | None = None  # the topic in llr_census_2021.csv

    def values(self) -> list[str]:
        return [o.value for o in self.options]

    def label_of(self, value: str | None) -> str:
        if value is None:
            return NOT_STATED_LABEL
        for o in self.options:
            if o.value == value:
                return o.label
        return str(value).replace("_", " ").capitalize()

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


def _pnts() -> Option:
    return Option(PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL, None,
                  ("prefer not to say", "prefer not", "rather not say", "rather not", "pnts",
                   "do not wish to say", "dont wish to say", "decline", "declined", "not disclosed"))


AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (16, 24, "16-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 64, "55-64"),
    (65, 74, "65-74"), (75, None, "75+"),
)

AGE_BAND = Question(
    "age_band", "Which age group are you in?", "Age band",
    tuple(
        Option(value, f"{lo} to {hi}" if hi else f"{lo} or over",
               # The census's youngest adult band is 15-24.
               "15-24" if value == "16-24" else value)
        for lo, hi, value in AGE_BANDS
    ) + (_pnts(),),
    census_topic="age_band",
)

SEX = Question(
    "sex", "What is your sex?", "Sex",
    (
        Option("female", "Female", "Female", ("f", "woman", "female", "girl")),
        Option("male", "Male", "Male", ("m", "man", "male", "boy")),
        Option("other", "Another term", None, ("other", "another term", "intersex", "self describe")),
        _pnts(),
    ),
    census_topic="sex",
)

GENDER_SAME_AS_BIRTH = Question(
    "gender_same_as_birth", "Is the gender you identify with the same as your sex registered at birth?",
    "Gender same as at birth",
    (
        Option("yes", "Yes", None, ("y", "yes", "same")),
        Option("no", "No", None, ("n", "no", "different", "not the same")),
        _pnts(),
    ),
)

ETHNIC_GROUP = Question(
    "ethnic_group", "What is your ethnic group?", "Ethnic group",
    (
        Option("asian", "Asian, Asian British or Asian Welsh", "Asian",
               ("asian", "indian", "pakistani", "bangladeshi", "chinese", "british asian", "sri lankan")),
        Option("black", "Black, Black British, Black Welsh, Caribbean or African", "Black",
               ("black", "african", "caribbean", "black british", "somali", "nigerian", "ghanaian")),
        Option("mixed", "Mixed or multiple ethnic groups", "Mixed",
               ("mixed", "multiple", "dual heritage", "mixed race", "biracial")),
        Option("white", "White", "White",
               ("white", "white british", "english", "welsh", "scottish", "irish", "gypsy", "traveller",
                "roma", "polish", "white other")),
        Option("other", "Other ethnic group", "Other", ("other", "arab", "any other", "other ethnic group")),
        _pnts(),
    ),
    census_topic="ethnic_group_broad",
)

DISABILITY = Question(
    "disability", "Do you consider yourself to be disabled (under the Equality Act 2010)?", "Disability",
    (
        Option("yes", "Yes", "Disabled under the Equality Act", ("y", "yes", "disabled")),
        Option("no", "No", "Not disabled under the Equality Act", ("n", "no", "not disabled")),
        _pnts(),
    ),
    census_topic="disability",
)

SEXUAL_ORIENTATION = Question(
    "sexual_orientation", "Which of the following best describes your sexual orientation?",
    "Sexual orientation",
    (
        Option("heterosexual", "Straight or heterosexual", None, ("straight", "heterosexual", "hetero")),
        Option("gay_lesbian", "Gay or lesbian", None, ("gay", "lesbian", "gay or lesbian", "homosexual")),
        Option("bisexual", "Bisexual", None, ("bi", "bisexual")),
        Option("other", "Another sexual orientation", None,
               ("other", "another", "pansexual", "asexual", "queer")),
        _pnts(),
    ),
)

RELIGION = Question(
    "religion", "What is your religion?", "Religion",
    (
        Option("none", "No religion", None, ("none", "no religion", "no", "atheist", "agnostic", "humanist")),
        Option("christian", "Christian", None,
               ("christian", "christianity", "church of england", "c of e", "catholic", "roman catholic",
                "methodist", "baptist", "anglican", "orthodox")),
        Option("buddhist", "Buddhist", None, ("buddhist", "buddhism")),
        Option("hindu", "Hindu", None, ("hindu", "hinduism")),
        Option("jewish", "Jewish", None, ("jewish", "judaism", "jew")),
        Option("muslim", "Muslim", None, ("muslim", "islam", "islamic")),
        Option("sikh", "Sikh", None, ("sikh", "sikhism")),
        Option("other", "Another religion or belief", None, ("other", "another", "any other religion")),
        _pnts(),
    ),
)

QUESTIONS: tuple[Question, ...] = (
    AGE_BAND, SEX, GENDER_SAME_AS_BIRTH, ETHNIC_GROUP, DISABILITY, SEXUAL_ORIENTATION, RELIGION,
)
BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
ANSWER_FIELDS: tuple[str, ...] = tuple(q.key for q in QUESTIONS) + ("ethnic_group_detail",)


# -- reading what applicants typed -------------------------------------------------------------
def _fold(text: str) -> str:
    folded = fold_text(text) or ""
    folded = re.sub(r"[^a-z0-9+]+", " ", folded)
    return " ".join(folded.split())


_BLANK = {"", "n a", "na", "not stated", "not answered", "no answer", "blank", "nil"}


def age_band_for(age: int) -> str:
    """The band an age in years falls in (16 or over)."""
    if age < 16:
        raise ValueError(f"An age of {age} is under 16, the youngest age band.")
    if age > 120:
        raise ValueError(f"An age of {age} is not believable.")
    for lo, hi, value in AGE_BANDS:
        if age >= lo and (hi is None or age <= hi):
            return value
    raise ValueError(f"No age band for {age}.")  # unreachable: the last band is open-ended


def _parse_age(folded: str) -> str | None:
    m = re.fullmatch(r"(\d{1,3})\s*(?:to|-|–)?\s*(\d{1,3})?(?:\s*(?:years?|yrs?))?", folded.replace(" - ", "-"))
    if m:
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else None
        if hi is None:
            return age_band_for(lo)
        for band_lo, band_hi, value in AGE_BANDS:
            # "16-24", "16 to 24", and the census's "15-24" / "18-24" forms.
            if band_hi is not None and hi == band_hi and lo <= band_lo + 3 and lo >= band_lo - 2:
                return value
        raise ValueError(f"'{folded}' is not one of the age bands")
    m = re.fullmatch(r"(\d{2,3})\s*(?:\+|plus|and over|or over|and above|or older)", folded)
    if m and int(m.group(1)) == 75:
        return "75+"
    return None


def parse_answer(key: str, text) -> str | None:
    """What an applicant typed (or a Forms choice) as the stored value.

    ``None`` for a blank answer (not stated). Raises ``ValueError`` with a plain
    message for an answer that fits none of the choices.
    """
    question = BY_KEY[key]
    if text is None:
        return None
    if isinstance(text, int | float) and key == "age_band":
        return age_band_for(int(text))
    raw = str(text).strip()
    folded = _fold(raw)
    if folded in _BLANK:
        return None
    for o in question.options:
        if folded in (_fold(o.value), _fold(o.label)):
            return o.value
    if key == "age_band":
        band = _parse_age(folded)
        if band is not None:
            return band
    for o in question.options:
        if folded in o.synonyms:
            return o.value
    # A longer answer that starts with a known word ("White British", "Asian - Indian").
    words = folded.split()
    for o in question.options:
        for syn in sorted(o.synonyms, key=len, reverse=True):
            if len(syn) > 2 and " ".join(words[: len(syn.split())]) == syn:
                return o.value
    raise ValueError(f"'{raw}' is not one of the answers to '{question.short}'")


# -- the service -------------------------------------------------------------------------------------
@dataclass
class EqualityAnswers:
    application_id: int
    version: int | None  # None: nothing recorded yet
    answers: dict[str, str | None] = field(default_factory=dict)  # question key -> stored value or None
    ethnic_group_detail: str | None = None

    def label(self, key: str) -> str:
        return BY_KEY[key].label_of(self.answers.get(key))

    @property
    def recorded(self) -> bool:
        return self.version is not None


def _row_for(session: Session, application_id: int) -> EqualityMonitoring | None:
    return session.scalar(select(EqualityMonitoring).where(EqualityMonitoring.application_id == application_id))


def _to_answers(application_id: int, row: EqualityMonitoring | None) -> EqualityAnswers:
    if row is None:
        return EqualityAnswers(application_id, None, {q.key: None for q in QUESTIONS})
    return EqualityAnswers(application_id, row.version, {q.key: getattr(row, q.key) for q in QUESTIONS},
                           row.ethnic_group_detail)


def validate_answers(answers: dict[str, str | None]) -> dict[str, str | None]:
    """Check every answer against its question; unknown questions are refused."""
    clean: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        q = BY_KEY.get(key)
        if q is None:
            errors[key] = f"'{key}' is not an equality monitoring question."
            continue
        if value in (None, ""):
            clean[key] = None
        elif value in q.values():
            clean[key] = value
        else:
            errors[key] = f"'{value}' is not one of the answers to '{q.short}'."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return clean


def apply_answers(session: Session, actor: Actor, application: Application, answers: dict[str, str | None], *,
                  ethnic_group_detail: str | None = None, expected_version: int | None = None
                  ) -> EqualityMonitoring:
    """Write answers inside the caller's unit of work (also used by the spreadsheet import).

    The caller checks ``Perm.EQUALITY_WRITE``. Questions left out of ``answers``
    keep their current answer; a ``None`` answer means "not stated".
    """
    clean = validate_answers(answers)
    detail = (ethnic_group_detail or "").strip()[:120] or None
    row = _row_for(session, application.id)
    if row is None:
        row = EqualityMonitoring(application_id=application.id)
        session.add(row)
        action = "equality.create"
        changed = [k for k, v in clean.items() if v is not None] + (["ethnic_group_detail"] if detail else [])
    else:
        check_version(session, row, expected_version, "equality monitoring record")
        action = "equality.change"
        changed = [k for k, v in clean.items() if getattr(row, k) != v]
        if ethnic_group_detail is not None and row.ethnic_group_detail != detail:
            changed.append("ethnic_group_detail")
    for key, value in clean.items():
        setattr(row, key, value)
    if ethnic_group_detail is not None or action == "equality.create":
        row.ethnic_group_detail = detail
    sync_from_application(row, application)
    session.flush()
    audit.record(session, actor, action, entity="equality_monitoring", entity_id=row.id,
                 fields=changed or ["none"], subject_person_id=application.person_id)
    return row


def sync_from_application(row: EqualityMonitoring, application: Application) -> None:
    """Keep the counting fields (window, area, channel, became a member) in step with the application."""
    row.window_id = application.window_id
    row.area = application.home_area if application.home_area != "unknown" else application.work_area
    row.how_heard = application.how_heard
    row.was_member = application.stage == Stage.MEMBER.value


def sync_for_application(session: Session, application: Application) -> None:
    """Called by the recruitment services after an application changes (no personal values move)."""
    row = _row_for(session, application.id)
    if row is not None:
        sync_from_application(row, application)


def get_answers(ctx: AppContext, application_id: int) -> EqualityAnswers:
    """The answers for one application. Needs EQUALITY_READ; every view is audited."""
    require(ctx, Perm.EQUALITY_READ, entity="equality_monitoring", entity_id=application_id)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        row = _row_for(s, application_id)
        result = _to_answers(application_id, row)
        audit.record(s, ctx.actor, "view", entity="equality_monitoring", entity_id=row.id if row else None,
                     fields=list(ANSWER_FIELDS), subject_person_id=app.person_id,
                     detail=f"application {application_id}")
    return result


def save_answers(ctx: AppContext, application_id: int, answers: dict[str, str | None], *,
                 ethnic_group_detail: str | None = None, expected_version: int | None = None) -> EqualityAnswers:
    """Record or change the answers. Needs EQUALITY_WRITE; audited by field name."""
    require(ctx, Perm.EQUALITY_WRITE, entity="equality_monitoring", entity_id=application_id)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        row = apply_answers(s, ctx.actor, app, answers, ethnic_group_detail=ethnic_group_detail,
                            expected_version=expected_version)
        s.flush()
        return _to_answers(application_id, row)


def delete_answers(ctx: AppContext, application_id: int, *, expected_version: int | None = None) -> bool:
    """Remove the answers (the applicant withdrew them). True when there were any."""
    require(ctx, Perm.EQUALITY_WRITE, entity="equality_monitoring", entity_id=application_id)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        row = _row_for(s, application_id)
        if row is None:
            return False
        check_version(s, row, expected_version, "equality monitoring record")
        rid = row.id
        s.delete(row)
        s.flush()
        audit.record(s, ctx.actor, "equality.delete", entity="equality_monitoring", entity_id=rid,
                     fields=list(ANSWER_FIELDS), subject_person_id=app.person_id)
    return True
