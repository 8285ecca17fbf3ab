"""Matching a spreadsheet's headers to the application's fields, by meaning.

Case, accents, spaces and punctuation are ignored, and question numbering
("1.", "Q3") is dropped. Each field knows its synonyms: the words used by
Microsoft Forms exports (``ID, Start time, Completion time, Email, Name``, then
one column per question), Google Forms (``Timestamp``, ``Email Address``) and
sheets typed by hand. A header that *is* a synonym beats one that only
*contains* one; among those, the longest phrase wins ("Work postcode" is the
work postcode, not the home one).

Microsoft Forms' own ``Name`` and ``Email`` columns say who was signed in (or
"anonymous"); a question asking for the name or email wins over them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from db.functions import fold_text


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    group: str  # form | person | application | equality
    kind: str  # text | name | email | phone | postcode | date | datetime | bool | choice | multi | ref
    synonyms: tuple[str, ...] = ()
    max_len: int | None = None


def _f(key, label, group, kind, synonyms, max_len=None) -> Field:
    return Field(key, label, group, kind, tuple(synonyms), max_len)


FIELDS: tuple[Field, ...] = (
    # What the form itself records.
    _f("external_ref", "Response ID", "form", "ref",
       ["id", "response id", "response number", "submission id", "response", "reference", "ref",
        "application id", "application number", "application reference", "applicant id", "row id",
        "reference number"], 80),
    _f("start_time", "Form started (Forms)", "form", "datetime", ["start time", "started", "start date"]),
    _f("received_at", "Date received", "form", "datetime",
       ["completion time", "timestamp", "time stamp", "submitted", "submitted at", "submitted on",
        "submission date", "submission time", "date submitted", "date received", "received",
        "received on", "date of application", "application date", "date applied", "completed",
        "completed at", "last modified time", "date"]),
    # The person.
    _f("full_name", "Full name", "person", "name",
       ["name", "full name", "your name", "your full name", "what is your name", "what is your full name",
        "applicant name", "applicant", "name of applicant", "applicants name", "respondent", "contact name",
        "please tell us your name", "please give your full name"], 200),
    _f("first_name", "First name", "person", "name",
       ["first name", "firstname", "forename", "forenames", "given name", "given names", "first names",
        "christian name", "your first name", "what is your first name"], 100),
    _f("last_name", "Last name", "person", "name",
       ["last name", "lastname", "surname", "family name", "second name", "your surname", "your last name",
        "what is your surname", "what is your last name"], 100),
    _f("preferred_name", "Known as", "person", "text",
       ["preferred name", "known as", "what would you like to be called", "what should we call you",
        "what do you like to be called", "nickname", "name you prefer"], 100),
    _f("pronouns", "Pronouns", "person", "text", ["pronouns", "your pronouns", "preferred pronouns"], 40),
    _f("date_of_birth", "Date of birth", "person", "date",
       ["date of birth", "dob", "d o b", "birth date", "birthdate", "birthday", "your date of birth",
        "what is your date of birth"]),
    _f("email", "Email", "person", "email",
       ["email", "email address", "e mail", "e mail address", "your email", "your email address",
        "contact email", "email to contact you", "what is your email address", "emailaddress"], 254),
    _f("phone", "Phone", "person", "phone",
       ["phone", "phone number", "telephone", "telephone number", "tel", "tel no", "mobile",
        "mobile number", "mobile phone", "mobile phone number", "contact number", "contact telephone",
        "contact telephone number", "contact phone number", "your phone number", "what is your phone number",
        "best number to contact you"]),
    _f("phone_alt", "Other phone", "person", "phone",
       ["other phone", "other phone number", "alternative phone", "alternative number",
        "alternative phone number", "second phone", "landline", "landline number", "home phone",
        "home telephone", "work phone"]),
    _f("address_line1", "Address", "person", "text",
       ["address", "address line 1", "home address", "street address", "first line of address",
        "first line of your address", "house number and street", "your address", "street"], 200),
    _f("address_line2", "Address line 2", "person", "text",
       ["address line 2", "second line of address", "address 2", "locality"], 200),
    _f("town", "Town", "person", "text", ["town", "city", "town or city", "town city", "village", "post town"],
       100),
    _f("postcode", "Home postcode", "person", "postcode",
       ["postcode", "post code", "home postcode", "home post code", "postal code", "zip", "zip code",
        "your postcode", "what is your postcode", "what is your home postcode", "postcode where you live"]),
    _f("work_postcode", "Work postcode", "person", "postcode",
       ["work postcode", "work post code", "workplace postcode", "postcode of work", "postcode of your work",
        "postcode where you work", "employer postcode", "office postcode", "what is your work postcode"]),
    _f("preferred_contact", "Preferred contact", "person", "choice",
       ["preferred contact", "preferred contact method", "preferred method of contact", "contact preference",
        "how should we contact you", "how would you like us to contact you", "best way to contact you",
        "how can we contact you"]),
    _f("safe_to_phone", "Safe to phone", "person", "bool",
       ["safe to phone", "is it safe to phone you", "ok to phone", "can we phone you", "can we call you",
        "safe to call", "is it safe to call you"]),
    _f("safe_voicemail", "Safe to leave a voicemail", "person", "bool",
       ["voicemail", "safe to leave a voicemail", "can we leave a voicemail", "can we leave a message",
        "leave a voicemail", "ok to leave a message"]),
    _f("safe_text", "Safe to text", "person", "bool",
       ["safe to text", "can we text you", "ok to text", "is it safe to text you", "sms"]),
    _f("safe_post", "Safe to write", "person", "bool",
       ["safe to write", "can we write to you", "safe to post", "is it safe to write to you", "ok to write",
        "can we send you letters"]),
    _f("safe_email", "Safe to email", "person", "bool",
       ["safe to email", "can we email you", "ok to email", "is it safe to email you"]),
    _f("times_to_avoid", "Times to avoid", "person", "text",
       ["times to avoid", "times not to contact", "when not to contact you", "times we should not contact you",
        "when should we not contact you"], 200),
    _f("interpreter_language", "Interpreter", "person", "text",
       ["interpreter", "interpreter language", "do you need an interpreter", "language for an interpreter",
        "first language", "preferred language", "language"], 60),
    _f("needs_bsl", "Needs BSL", "person", "bool",
       ["bsl", "british sign language", "do you need a bsl interpreter", "bsl interpreter"]),
    _f("accessibility_needs", "Access needs", "person", "text",
       ["accessibility needs", "access needs", "reasonable adjustments", "adjustments", "accessibility",
        "support needs", "do you have any access needs", "access requirements", "any adjustments",
        "do you need any adjustments"]),
    _f("support_person", "Support person", "person", "text",
       ["support person", "supporter", "who will support you", "will anyone support you",
        "will someone come with you", "who will come with you"], 200),
    _f("notes", "Notes", "person", "text", ["notes", "office notes", "staff notes", "comments"]),
    # The application.
    _f("how_heard", "How they heard", "application", "choice",
       ["how did you hear about us", "how did you hear about this", "how did you hear about the group",
        "how did you hear about this opportunity", "how did you hear", "where did you hear about us",
        "where did you hear", "where did you see", "where did you see this", "how did you find out",
        "how did you find out about us", "heard about", "heard about us", "heard via", "source",
        "referral source", "channel"]),
    _f("basis", "Basis of lived experience", "application", "choice",
       ["basis", "basis of lived experience", "lived experience basis", "which best describes you",
        "which of these best describes you", "which of these describes you", "applying as",
        "i am applying as", "are you applying as", "your connection to victims", "connection to victims",
        "are you a victim of crime"]),
    _f("experience_areas", "Experience areas", "application", "multi",
       ["experience areas", "areas of experience", "type of crime", "types of crime", "crime type",
        "crime types", "which crimes", "what type of crime", "what kind of crime", "experience of crime",
        "which types of crime", "areas of lived experience", "crimes experienced"]),
    _f("organisation_name", "Organisation", "application", "text",
       ["organisation", "organization", "organisation name", "organization name", "which organisation",
        "your organisation", "group or organisation", "employer"], 200),
    _f("statement", "Statement", "application", "text",
       ["statement", "supporting statement", "personal statement", "why do you want to join",
        "why would you like to join", "why do you want to join the group", "tell us about yourself",
        "tell us why", "about you", "motivation", "why are you applying", "why do you want to be a member",
        "what would you bring to the group", "tell us about your lived experience"]),
    _f("availability", "Availability", "application", "text",
       ["availability", "your availability", "when are you available", "when can you attend", "available",
        "days available"]),
    _f("selection_method", "Interview or video", "application", "choice",
       ["selection method", "interview or video", "interview or video submission",
        "would you prefer an interview or a video", "how would you like to be assessed", "assessment method",
        "preferred selection method", "interview"]),
    _f("video_reference", "Video link", "application", "text",
       ["video", "video link", "video url", "link to your video", "video reference", "video submission link"],
       500),
    # Equality monitoring (optional; its own table).
    _f("age_band", "Age band", "equality", "choice",
       ["age", "age band", "age group", "age range", "your age", "what is your age", "how old are you",
        "which age group are you in", "which age band are you in"]),
    _f("sex", "Sex", "equality", "choice", ["sex", "what is your sex", "gender", "what is your gender"]),
    _f("gender_same_as_birth", "Gender same as at birth", "equality", "choice",
       ["gender same as birth", "gender same as at birth", "gender identity", "trans",
        "is the gender you identify with the same as your sex registered at birth",
        "is your gender the same as the sex you were registered at birth",
        "gender identity same as sex registered at birth"]),
    _f("ethnic_group", "Ethnic group", "equality", "choice",
       ["ethnic group", "ethnicity", "ethnic origin", "ethnic background", "what is your ethnic group",
        "what is your ethnicity", "race"]),
    _f("ethnic_group_detail", "Ethnic group (described)", "equality", "text",
       ["ethnic group detail", "ethnic group other", "ethnicity other", "ethnicity detail",
        "please describe your ethnic group", "other ethnic group please describe", "ethnic group description"],
       120),
    _f("disability", "Disability", "equality", "choice",
       ["disability", "disabled", "do you consider yourself disabled",
        "do you consider yourself to be disabled", "do you have a disability",
        "do you consider yourself to be disabled under the equality act 2010"]),
    _f("sexual_orientation", "Sexual orientation", "equality", "choice",
       ["sexual orientation", "sexuality", "which of the following best describes your sexual orientation"]),
    _f("religion", "Religion", "equality", "choice",
       ["religion", "religion or belief", "faith", "belief", "what is your religion", "religious belief"]),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
EQUALITY_KEYS = tuple(f.key for f in FIELDS if f.group == "equality")

# Words too general to count when they are only part of a longer header ("Date you are
# available" is not the date received; "Applicant email" is not the name).
_EXACT_ONLY = {
    "date", "received", "completed", "submitted", "started", "source", "channel", "response", "reference",
    "applicant", "respondent", "interview", "video", "language", "gender", "trans", "race", "belief",
    "faith", "street", "town", "city", "village", "basis", "zip", "available", "disabled", "locality",
    "motivation", "about you", "supporter", "adjustments", "landline", "work phone",
}

# Headers that only Microsoft Forms writes (its own bookkeeping columns).
_FORMS_MARKERS = {"start time", "completion time"}
_GOOGLE_MARKERS = {"timestamp"}
# Forms' "Name"/"Email" (who was signed in): weaker than a question asking for it.
_FORMS_METADATA = {"name": "full_name", "email": "email"}


def _add_question_texts() -> None:
    """The equality questions as worded on the office's own form are synonyms too."""
    global FIELDS, BY_KEY
    try:
        from lived_experience.recruitment.equality import QUESTIONS
    except ImportError:  # pragma: no cover - the recruitment package is part of the app
        return
    extra = {q.key: (q.label, q.short) for q in QUESTIONS}
    out = []
    for f in FIELDS:
        if f.key in extra:
            words = tuple(normalise(t) for t in extra[f.key])
            f = Field(f.key, f.label, f.group, f.kind, f.synonyms + words, f.max_len)
        out.append(f)
    FIELDS = tuple(out)
    BY_KEY = {f.key: f for f in FIELDS}


_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\d{1,3}[a-z]?\s+")
_TRAILERS = re.compile(r"\s+(?:optional|required|mandatory|if applicable|if any|please specify)$")


@lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """'3. What is your E-mail Address? (optional)' -> 'what is your e mail address'."""
    s = fold_text(str(header)) or ""
    s = s.replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = " ".join(s.split())
    s = _NUMBERING.sub("", s)
    for _ in range(2):
        s = _TRAILERS.sub("", s)
    return s


_add_question_texts()


@lru_cache(maxsize=1)
def _phrase_index() -> tuple[dict[str, str], dict[tuple[str, ...], tuple[int, int, str]], int]:
    """(exact phrase -> field, phrase as words -> (length, -rank, field) for 'contains', longest phrase).

    'Contains' means the phrase's words appear together in the header; the longest
    phrase wins, and among phrases of one length the field listed first.
    """
    exact: dict[str, str] = {}
    contained: dict[tuple[str, ...], tuple[int, int, str]] = {}
    rank = 0
    for f in FIELDS:
        for syn in f.synonyms:
            n = normalise(syn)
            exact.setdefault(n, f.key)
            rank += 1
            # Very short words ("id", "tel", "sex") and general ones must be the whole header.
            if len(n) < 4 or n in _EXACT_ONLY:
                continue
            words = tuple(n.split())
            if words and words not in contained:
                contained[words] = (len(n), -rank, f.key)
    longest = max((len(w) for w in contained), default=1)
    return exact, contained, longest


@dataclass(frozen=True)
class HeaderMatch:
    field: str
    score: int
    how: str  # plain English: 'is "email"', 'contains "work postcode"'


@lru_cache(maxsize=16384)
def match_header(header: str) -> HeaderMatch | None:
    """The field a header names, or None."""
    n = normalise(header)
    if not n:
        return None
    exact, contained, longest = _phrase_index()
    if n in exact:
        return HeaderMatch(exact[n], 1000 + len(n), f'is "{n}"')
    words = n.split()
    best: tuple[int, int, str] | None = None
    best_words: tuple[str, ...] = ()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + longest) + 1):
            found = contained.get(tuple(words[i:j]))
            if found is not None and (best is None or found[:2] > best[:2]):
                best, best_words = found, tuple(words[i:j])
    if best is None:
        return None
    phrase = " ".join(best_words)
    return HeaderMatch(best[2], 100 + len(phrase), f'contains "{phrase}"')


@dataclass
class ColumnMapping:
    index: int
    header: str
    field: str | None
    how: str  # why it is (or is not) mapped, in plain English

    @property
    def field_label(self) -> str:
        return BY_KEY[self.field].label if self.field else "Not imported"


@dataclass
class Mapping:
    columns: list[ColumnMapping]
    source: str = "automatic"  # automatic | profile NAME | edited
    profile_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def field_of(self, index: int) -> str | None:
        return self.columns[index].field if index < len(self.columns) else None

    def columns_for(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field}

    def set(self, index: int, field_key: str | None) -> None:
        """Map one column (or stop importing it). A field already mapped elsewhere moves here."""
        if field_key is not None and field_key not in BY_KEY:
            raise ValueError(f"'{field_key}' is not a field")
        for c in self.columns:
            if field_key is not None and c.field == field_key and c.index != index:
                c.field = None
                c.how = f"not imported: {BY_KEY[field_key].label} now comes from another column"
        col = self.columns[index]
        col.field = field_key
        col.how = "chosen by you" if field_key else "not imported (your choice)"
        self.source = "edited"

    def problems(self) -> list[str]:
        """What stops an import with this mapping, in plain English."""
        mapped = {c.field for c in self.columns if c.field}
        out = []
        if not ({"full_name", "first_name", "last_name"} & mapped):
            out.append("No column gives the applicant's name: choose the column that holds the name "
                       "(or the first name and the last name).")
        return out

    def as_profile(self) -> dict:
        """What a saved profile keeps: normalised header -> field (or '' for 'not imported')."""
        cols: dict[str, str] = {}
        for c in self.columns:
            n = normalise(c.header)
            if n and n not in cols:
                cols[n] = c.field or ""
        return {"version": 1, "columns": cols}


def is_forms_export(headers: Sequence[str]) -> bool:
    names = {normalise(h) for h in headers}
    return names >= _FORMS_MARKERS


def is_google_export(headers: Sequence[str]) -> bool:
    names = {normalise(h) for h in headers}
    return bool(_GOOGLE_MARKERS & names)


def auto_map(headers: Sequence[str], samples: Iterable[Sequence] = ()) -> Mapping:
    """Map every header to a field by meaning; when two headers claim a field the stronger wins.

    ``samples`` (a few data rows) lets a Forms 'Name'/'Email' column full of
    'anonymous' be left out.
    """
    samples = [list(r) for r in samples]
    forms = is_forms_export(headers)
    claims: dict[str, list[tuple[int, int, str]]] = {}
    columns: list[ColumnMapping] = []
    for i, h in enumerate(headers):
        text = "" if h is None else str(h)
        columns.append(ColumnMapping(i, text, None, "no heading" if not text.strip() else "not recognised"))
        m = match_header(text)
        if m is None:
            continue
        score = m.score
        how = m.how
        n = normalise(text)
        if forms and n in _FORMS_METADATA:
            score = 1  # the signed-in account, not an answer
            how = "Microsoft Forms' own column (who was signed in)"
            if samples and _mostly_anonymous(samples, i):
                columns[i].how = "Microsoft Forms' own column: every answer is 'anonymous'"
                continue
        claims.setdefault(m.field, []).append((score, -i, how))
    for key, options in claims.items():
        options.sort(reverse=True)
        best_score, neg_i, how = options[0]
        columns[-neg_i].field = key
        columns[-neg_i].how = how
        for _score, other, _how in options[1:]:
            columns[-other].how = (f"not imported: also looks like {BY_KEY[key].label}, which comes from "
                                   f"'{columns[-neg_i].header}'")
    mapping = Mapping(columns)
    if forms:
        mapping.notes.append("This looks like a Microsoft Forms export.")
    elif is_google_export(headers):
        mapping.notes.append("This looks like a Google Forms export.")
    return mapping


def _mostly_anonymous(samples: list[list], index: int) -> bool:
    values = [str(r[index]).strip().casefold() for r in samples if index < len(r) and str(r[index]).strip()]
    return not values or all(v == "anonymous" for v in values)


def apply_profile(headers: Sequence[str], profile: dict, name: str, samples: Iterable[Sequence] = ()) -> Mapping:
    """A saved mapping applied to this file's headers; headers it does not know are matched automatically."""
    cols = (profile or {}).get("columns", {})
    auto = auto_map(headers, samples)
    taken: set[str] = set()
    for c in auto.columns:
        n = normalise(c.header)
        if n in cols:
            key = cols[n] or None
            if key is not None and (key not in BY_KEY or key in taken):
                key = None
            c.field = key
            c.how = f"saved mapping '{name}'" if key else f"not imported (saved mapping '{name}')"
            if key:
                taken.add(key)
    # Automatic matches for headers the profile did not know, unless the field is already taken.
    for c in auto.columns:
        if normalise(c.header) not in cols and c.field in taken:
            c.field = None
            c.how = "not imported: the saved mapping takes this field from another column"
        elif normalise(c.header) not in cols and c.field:
            taken.add(c.field)
    auto.source = "profile"
    auto.profile_name = name
    return auto


def profile_fit(headers: Sequence[str], profile: dict) -> float:
    """How well a saved profile fits these headers (0-1): the share of the profile's headers present."""
    cols = (profile or {}).get("columns", {})
    if not cols:
        return 0.0
    names = {normalise(h) for h in headers if h}
    return sum(1 for n in cols if n in names) / len(cols)


def header_score(cells: Sequence) -> int:
    """How much a row looks like a header row: the number of different fields its cells name."""
    found = set()
    for c in cells:
        if isinstance(c, str) and c.strip() and len(c) <= 300:
            m = match_header(c)
            if m is not None:
                found.add(m.field)
    return len(found)
