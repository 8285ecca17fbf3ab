"""Row validation: one spreadsheet row to clean values and plain-English problems.

A problem is an **error** (the row is rejected and goes to the report to fix),
a **warning** (imported, but a person should look: a postcode needing
confirmation, a doubtful date, an equality answer that fits no choice) or a
**note** (something fixed on the way, such as a phone number's lost leading 0).

Validation runs in two passes so that a date column's day/month order can be
decided from the whole column: ``check`` reads each row's cells, ``finish``
settles the dates, then computes the matching keys, eligibility and the hash
of the answers (to tell "unchanged" from "changed since last time").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as CollectionsMapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from db.enums import Area, Basis, ContactMethod, ExperienceArea, Residence, SelectionMethod
from db.functions import fold_text
from lived_experience.core import clock
from lived_experience.importing import dates as D
from lived_experience.importing.headers import BY_KEY, EQUALITY_KEYS, Mapping
from lived_experience.people.identity import Checked, name_key, normalise_email, normalise_phone
from lived_experience.recruitment import equality
from lived_experience.recruitment.channels import how_heard_from_text
from lived_experience.recruitment.postcodes import combine, normalise_postcode, place

ERROR, WARNING, NOTE = "error", "warning", "note"

# Row statuses (what the import will do with the row).
NEW = "new"  # a new applicant
REJECTED = "rejected"  # has an error: not imported, goes to the report
UNCHANGED = "unchanged"  # imported before, same answers
CHANGED = "changed"  # imported before, answers changed since last time
EXISTING_PERSON = "existing_person"  # probably a person already on record
DUPLICATE_IN_FILE = "duplicate_in_file"  # the same person as another row of this file

# Choices a person makes about a duplicate.
SKIP, UPDATE, ADD_NEW = "skip", "update", "new"
CHOICE_LABELS = {SKIP: "Skip this row", UPDATE: "Update the existing person", ADD_NEW: "Add as a new person"}

STATUS_LABELS = {
    NEW: "New applicant",
    REJECTED: "Rejected",
    UNCHANGED: "Already imported, unchanged",
    CHANGED: "Changed since last time",
    EXISTING_PERSON: "Probably someone already on record",
    DUPLICATE_IN_FILE: "Duplicate of another row",
}

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord"}
_ANONYMOUS = {"anonymous", "anon"}
_MULTILINE = {"statement", "availability", "accessibility_needs", "notes"}
_NO_WORDS = {"no", "n", "none", "n a", "na", "nil", "not needed", "no thanks", "false", "0"}


MISSING = object()  # a field the row does not hold (None is a value)
_NO_EFFECT = object()  # a cell that adds nothing to the row (blank, "anonymous", "no")
_MEMO_LIMIT = 4096  # distinct answers remembered per column (emails and free text rarely repeat)
_MEMO_LONGEST = 300  # longer text is not remembered


class Layout:
    """The field order of one import: rows keep their values as a tuple in this order (a dict per
    row costs about a kilobyte more, which matters at 100,000 rows)."""

    __slots__ = ("keys", "index")

    def __init__(self, keys: Iterable[str]):
        self.keys = tuple(dict.fromkeys(keys))
        self.index = {k: i for i, k in enumerate(self.keys)}

    def pack(self, values: dict) -> Values:
        get = values.get
        return Values(self, tuple([get(k, MISSING) for k in self.keys]))

    def reader(self, keys: Sequence[str], defaults: CollectionsMapping) -> Callable[[tuple], list]:
        """For bulk writes: a function from a row's data (``Values._data``) to the values of ``keys``
        (all of them in this layout) as a list, with ``defaults.get(key)`` for a field the row lacks."""
        if not keys:
            return lambda data: []
        positions = [self.index[k] for k in keys]
        fallback = tuple(defaults.get(k) for k in keys)
        if len(keys) == 1:
            (i,), (d,) = positions, fallback
            return lambda data: [d if data[i] is MISSING else data[i]]
        getter = itemgetter(*positions)
        missing = MISSING

        def read(data: tuple) -> list:
            return [d if x is missing else x for x, d in zip(getter(data), fallback, strict=True)]
        return read


class Values(CollectionsMapping):
    """A row's clean values, read like a dict."""

    __slots__ = ("_layout", "_data")

    def __init__(self, layout: Layout, data: tuple):
        self._layout = layout
        self._data = data

    def __getitem__(self, key):
        i = self._layout.index.get(key)
        if i is None:
            raise KeyError(key)
        v = self._data[i]
        if v is MISSING:
            raise KeyError(key)
        return v

    def __iter__(self):
        keys = self._layout.keys
        return (keys[i] for i, v in enumerate(self._data) if v is not MISSING)

    def __len__(self) -> int:
        return sum(1 for v in self._data if v is not MISSING)

    def __contains__(self, key) -> bool:
        i = self._layout.index.get(key)
        return i is not None and self._data[i] is not MISSING

    def to_dict(self) -> dict:
        keys = self._layout.keys
        return {keys[i]: v for i, v in enumerate(self._data) if v is not MISSING}

    def get(self, key, default=None):
        i = self._layout.index.get(key)
        if i is None:
            return default
        v = self._data[i]
        return default if v is MISSING else v


@dataclass(frozen=True, slots=True)
class Problem:
    level: str
    field: str | None
    message: str


class RowResult:
    """One data row: its clean values, problems, and (after matching) what the import will do."""

    __slots__ = ("number", "values", "problems", "pending", "email_key", "phone_key", "name_key",
                 "answers_hash", "external_ref", "status", "person_id", "application_id", "matched_on",
                 "candidates", "duplicate_of", "changes", "choice")

    def __init__(self, number: int):
        self.number = number
        self.values: dict | Values = {}
        self.problems: list[Problem] | None = None
        self.pending: list | None = None
        self.email_key = self.phone_key = self.name_key = None
        self.answers_hash: str | None = None
        self.external_ref: str | None = None
        self.status = NEW
        self.person_id: int | None = None
        self.application_id: int | None = None
        self.matched_on: tuple[str, ...] = ()
        self.candidates: tuple[int, ...] = ()
        self.duplicate_of: int | None = None
        self.changes: list | None = None
        self.choice: str | None = None

    # -- problems -------------------------------------------------------------------------
    def add(self, level: str, field: str | None, message: str) -> None:
        if self.problems is None:
            self.problems = []
        self.problems.append(Problem(level, field, message))

    @property
    def has_error(self) -> bool:
        return bool(self.problems) and any(p.level == ERROR for p in self.problems)

    def messages(self, level: str | None = None) -> list[str]:
        return [p.message for p in (self.problems or ()) if level is None or p.level == level]

    @property
    def reasons(self) -> list[str]:
        """Why the row was rejected (errors only)."""
        return self.messages(ERROR)

    # -- what to show ---------------------------------------------------------------------
    @property
    def full_name(self) -> str:
        v = self.values
        return " ".join(x for x in (v.get("first_name"), v.get("last_name")) if x)

    @property
    def choices(self) -> tuple[str, ...]:
        """What a person may choose for this row (empty: nothing to choose)."""
        if self.status == EXISTING_PERSON:
            return (UPDATE, ADD_NEW, SKIP)
        if self.status == CHANGED:
            return (UPDATE, SKIP)
        if self.status == DUPLICATE_IN_FILE:
            return (SKIP, ADD_NEW)
        return ()

    @property
    def needs_review(self) -> bool:
        return bool(self.choices) and self.choice is None


# -- fast paths that give exactly what the shared normalisers give --------------------------------
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(_ATEXT + r"(?:\." + _ATEXT + r")*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}")
_SPECIAL_TLDS = {"arpa", "invalid", "local", "localhost", "onion", "test"}
# All of it in one match: the local part, then labels each followed by a dot, then the top level.
_ADDRESS = re.compile(f"({_LOCAL.pattern})@((?:{_LABEL.pattern}\\.)+({_TLD.pattern}))")


def fast_email(text: str) -> Checked | None:
    """The common case (a plain ASCII address) without the full validator; None = not sure."""
    raw = text.strip()
    if len(raw) > 254 or not raw.isascii():
        return None
    m = _ADDRESS.fullmatch(raw)
    if m is None:
        return None
    local, domain, top = m.groups()
    if len(local) > 64 or "--" in domain or top.lower() in _SPECIAL_TLDS:
        return None
    return Checked(f"{local}@{domain.lower()}")


def check_email(value) -> Checked:
    text = str(value)
    return fast_email(text) or normalise_email(text)


_FAST_PHONE = re.compile(r"^(?:\+44|0044|0)([1237][0-9]{9})$")
# A date written out (as a phone column formatted as dates shows it): 2025-04-03, 32767-12-31, 03/04/2025.
_DATE_LIKE = re.compile(r"^-?(?:\d{1,6}-)?\d{1,6}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$|^\d{1,2}/\d{1,2}/\d{4}$")
_LOST_ZERO_NOTE = normalise_phone("7700900123").note


def fast_phone(value) -> Checked | None:
    """UK numbers in their usual forms without the full parser; None = not sure."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    raw = str(value).strip()
    if not raw.isascii():
        return None
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    if raw.isdigit() and len(raw) == 10 and raw[0] in "1237":
        return Checked("+44" + raw, note=_LOST_ZERO_NOTE)
    compact = raw.replace(" ", "").replace("-", "")
    m = _FAST_PHONE.match(compact)
    if m is None:
        return None
    return Checked("+44" + m.group(1))


def check_phone(value) -> Checked:
    if isinstance(value, str) and value.startswith("'"):
        value = value[1:]  # a leading apostrophe typed to keep the 0
    if isinstance(value, float) and not math.isfinite(value):
        return Checked(None, f"'{value}' is not a phone number")
    checked = fast_phone(value) or normalise_phone(value)
    if checked.value:
        digits = len(checked.value) - 1  # E.164: '+' and digits
        # The parser allows short codes; an applicant's number is a full one (UK: 9-10 digits after +44).
        if digits < 9 or (checked.value.startswith("+44") and digits < 11):
            return Checked(None, f"'{value}' is too short to be a phone number")
    return checked


# -- choices, cached (Forms answers repeat a lot) --------------------------------------------------
def _fold(text: str) -> str:
    s = fold_text(text) or ""
    return " ".join(re.sub(r"[^a-z0-9+]+", " ", s).split())


@lru_cache(maxsize=4096)
def parse_bool(text: str) -> bool:
    f = _fold(text)
    if f in ("yes", "y", "true", "1", "ok", "x", "yes please", "safe") or f.startswith("yes "):
        return True
    if f in ("no", "n", "false", "0", "not safe", "no thanks") or f.startswith("no "):
        return False
    if text.strip() in ("✓", "✔", "☑"):
        return True
    raise ValueError(f"'{text}' is not yes or no")


@lru_cache(maxsize=4096)
def parse_basis(text: str) -> str | None:
    first = re.split(r"[;\n]", text)[0].strip()
    try:
        return Basis.parse(first).value
    except ValueError:
        pass
    f = _fold(first)
    if not f:
        return None
    if any(w in f for w in ("represent", "sector", "statutory", "voluntary", "charity", "organisation",
                            "organization", "agency")):
        return Basis.SECTOR_REPRESENTATIVE.value
    if any(w in f for w in ("work", "professional", "support victims", "supporting victims", "volunteer")):
        return Basis.WORKS_WITH_VICTIMS.value
    if any(w in f for w in ("victim", "survivor", "i have been", "witness", "myself", "lived experience",
                            "harmed", "bereaved")):
        return Basis.VICTIM.value
    raise ValueError(f"'{text}' does not say whether they are a victim, work with victims or represent an "
                     "organisation")


_AREA_WORDS: tuple[tuple[str, ExperienceArea], ...] = (
    ("honour", ExperienceArea.HONOUR_BASED_ABUSE), ("forced marriage", ExperienceArea.HONOUR_BASED_ABUSE),
    ("domestic", ExperienceArea.DOMESTIC_ABUSE), ("coercive", ExperienceArea.DOMESTIC_ABUSE),
    ("sexual", ExperienceArea.SEXUAL_VIOLENCE), ("rape", ExperienceArea.SEXUAL_VIOLENCE),
    ("hate", ExperienceArea.HATE_CRIME), ("road", ExperienceArea.ROAD_TRAFFIC_COLLISION),
    ("collision", ExperienceArea.ROAD_TRAFFIC_COLLISION), ("driving", ExperienceArea.ROAD_TRAFFIC_COLLISION),
    ("rtc", ExperienceArea.ROAD_TRAFFIC_COLLISION), ("fraud", ExperienceArea.FRAUD),
    ("scam", ExperienceArea.FRAUD), ("stalk", ExperienceArea.STALKING_HARASSMENT),
    ("harass", ExperienceArea.STALKING_HARASSMENT), ("child", ExperienceArea.CHILD_ABUSE),
    ("anti social", ExperienceArea.ANTISOCIAL_BEHAVIOUR), ("antisocial", ExperienceArea.ANTISOCIAL_BEHAVIOUR),
    ("asb", ExperienceArea.ANTISOCIAL_BEHAVIOUR), ("burglar", ExperienceArea.BURGLARY_THEFT),
    ("theft", ExperienceArea.BURGLARY_THEFT), ("robbery", ExperienceArea.BURGLARY_THEFT),
    ("stolen", ExperienceArea.BURGLARY_THEFT), ("violen", ExperienceArea.VIOLENT_CRIME),
    ("assault", ExperienceArea.VIOLENT_CRIME), ("knife", ExperienceArea.VIOLENT_CRIME),
)


@lru_cache(maxsize=4096)
def parse_areas(text: str) -> tuple[tuple[str, str | None], ...]:
    """'Domestic abuse;Fraud;Other: cyber bullying' -> ((area, other text or None), ...)."""
    parts = re.split(r"[;\n|]", text) if re.search(r"[;\n|]", text) else text.split(",")
    out: dict[str, str | None] = {}
    for part in (p.strip() for p in parts):
        if not part:
            continue
        try:
            area = ExperienceArea.parse(part)
            out.setdefault(area.value, None)
            continue
        except ValueError:
            pass
        f = _fold(part)
        found = next((a for word, a in _AREA_WORDS if word in f), None)
        if found is not None:
            out.setdefault(found.value, None)
        elif f not in ("", "none", "n a", "na", "prefer not to say"):
            other = re.sub(r"^other\s*[:\-]\s*", "", part, flags=re.I).strip()[:200] or None
            if ExperienceArea.OTHER.value in out and out[ExperienceArea.OTHER.value] and other:
                out[ExperienceArea.OTHER.value] = f"{out[ExperienceArea.OTHER.value]}; {other}"[:200]
            else:
                out[ExperienceArea.OTHER.value] = other if _fold(other or "") != "other" else None
    return tuple(out.items())


@lru_cache(maxsize=1024)
def parse_selection(text: str) -> str | None:
    f = _fold(text)
    interview, video = "interview" in f, "video" in f
    if interview and not video:
        return SelectionMethod.INTERVIEW.value
    if video and not interview:
        return SelectionMethod.VIDEO.value
    if (interview and video) or any(w in f for w in ("either", "both", "no preference", "don t mind", "any")):
        return None
    raise ValueError(f"'{text}' is not interview or video")


@lru_cache(maxsize=1024)
def parse_contact(text: str) -> str:
    try:
        return ContactMethod.parse(text).value
    except ValueError:
        pass
    f = _fold(text)
    for words, method in ((("support person", "supporter", "through"), ContactMethod.VIA_SUPPORT_PERSON),
                          (("email", "e mail"), ContactMethod.EMAIL),
                          (("text", "sms", "whatsapp"), ContactMethod.TEXT),
                          (("phone", "call", "telephone", "mobile"), ContactMethod.PHONE),
                          (("post", "letter", "write", "writing"), ContactMethod.POST)):
        if any(w in f for w in words):
            return method.value
    raise ValueError(f"'{text}' is not a way of contacting someone")


@lru_cache(maxsize=8192)
def parse_equality(key: str, text: str) -> str | None:
    return equality.parse_answer(key, text)


@lru_cache(maxsize=4096)
def parse_how_heard(text: str):
    return how_heard_from_text(text)


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _clean_line(value) -> str:
    return " ".join(_as_text(value).split())


def _clean_block(value) -> str:
    text = _as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


def split_name(text: str) -> tuple[str, str]:
    """'Zoë Smith' -> ('Zoë', 'Smith'); 'Smith, Zoë' -> ('Zoë', 'Smith'); titles dropped."""
    s = " ".join(text.split())
    if "," in s:
        last, _, first = s.partition(",")
        return " ".join(first.split()), " ".join(last.split())
    words = s.split(" ")
    while len(words) > 1 and words[0].rstrip(".").casefold() in _TITLES:
        words = words[1:]
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


_split_name = lru_cache(maxsize=8192)(split_name)


def _label(field: str) -> str:
    return BY_KEY[field].label


# -- the validator --------------------------------------------------------------------------------
class RowValidator:
    """Validates the rows of one file under one mapping."""

    def __init__(self, mapping: Mapping, *, date1904: bool = False, equality_allowed: bool = True,
                 today: dt.date | None = None, now: dt.datetime | None = None):
        self.mapping = mapping
        self.date1904 = date1904
        self.today = today or clock.today()
        self.now = now or clock.now()
        self.oldest_birth = self.today - relativedelta(years=120)
        self.adult_birth = self.today - relativedelta(years=18)
        self.latest_received = self.now + dt.timedelta(days=1)
        cols = mapping.columns_for()
        if not equality_allowed:
            cols = {k: v for k, v in cols.items() if k not in EQUALITY_KEYS}
        self.columns = cols
        self.layout = Layout([*cols, "first_name", "last_name", "how_heard_other", "residence", "home_area",
                              "work_area"])
        self.orders: dict[str, D.ColumnOrder] = {}
        # (key, cell index, handler, memo): a column's memo maps a text cell to what the handler made
        # of it (values and problems), so each distinct answer is checked once; dates have no memo
        # (each one is evidence for the column's day/month order).
        self.plan: list[tuple[str, int, object, dict | None]] = []
        for key, index in sorted(cols.items(), key=lambda kv: kv[1]):
            kind = BY_KEY[key].kind
            handler = getattr(self, f"_{kind}")
            if kind in ("date", "datetime"):
                self.orders[key] = D.ColumnOrder()
            memo = None if kind in ("date", "datetime") else {}
            self.plan.append((key, index, handler, memo))
        self._scratch = RowResult(0)
        self._unremembered: dict[str, int] = {}
        self._offsets: dict[tuple, dt.timedelta] = {}
        # The keys a row's values can hold when they are hashed, sorted once (``answers_hash``).
        known = set(self.layout.keys) | {"start_time", "external_ref", "full_name"}
        self._hash_known = frozenset(known)
        self._hash_keys = tuple(k for k in sorted(known) if k not in _HASH_SKIP)

    # pass 1 ---------------------------------------------------------------------------------
    def check(self, number: int, cells: tuple) -> RowResult:
        r = RowResult(number)
        values = r.values
        for key, index, handler, memo in self.plan:
            value = cells[index]
            if value is None or value == "":
                continue
            if memo is not None and value.__class__ is str:
                effect = memo.get(value)
                if effect is None:
                    effect = self._effect(handler, key, value, memo)
                if effect is _NO_EFFECT:
                    continue
                assigned, problems = effect
                if assigned:
                    values.update(assigned)
                if problems:
                    if r.problems is None:
                        r.problems = list(problems)
                    else:
                        r.problems.extend(problems)
                continue
            if isinstance(value, str) and not value.strip():
                continue
            handler(r, key, value)
        if r.pending:
            # Waits for the whole column to settle its dates: kept compact meanwhile.
            r.values = self.layout.pack(r.values)
            return r
        return self.finish(r)

    def check_all(self, rows: Iterable[tuple[int, tuple]]) -> list[RowResult]:
        """Both passes: rows whose dates wait for their column are finished at the end."""
        results = [self.check(n, cells) for n, cells in rows]
        self.finish_pending(results)
        return results

    def _effect(self, handler, key: str, value: str, memo: dict):
        """What ``handler`` makes of one text cell, remembered for the next row with the same text."""
        if not value.strip():
            effect = _NO_EFFECT
        else:
            scratch = self._scratch
            scratch.values = {}
            scratch.problems = None
            handler(scratch, key, value)
            effect = (scratch.values or None, tuple(scratch.problems) if scratch.problems else None)
            if effect == (None, None):
                effect = _NO_EFFECT
        if len(value) <= _MEMO_LONGEST and len(memo) < _MEMO_LIMIT:
            memo[value] = effect
        else:
            self._unremembered[key] = misses = self._unremembered.get(key, 0) + 1
            if misses > _MEMO_LIMIT or len(memo) >= _MEMO_LIMIT:
                # So many different (or long) answers, as emails and statements: remembering does not pay.
                self.plan = [(k, i, h, None if k == key else m) for k, i, h, m in self.plan]
        return effect

    def finish_pending(self, results: list[RowResult]) -> None:
        for r in results:
            if r.answers_hash is None:
                self.finish(r)

    def _error(self, r: RowResult, key: str, message: str) -> None:
        r.add(ERROR, key, f"{_label(key)}: {message}")

    def _text(self, r: RowResult, key: str, value) -> None:
        text = _clean_block(value) if key in _MULTILINE else _clean_line(value)
        if not text:
            return
        if key == "interpreter_language":
            f = _fold(text)
            if f in _NO_WORDS or f.startswith("no "):
                return
            text = re.sub(r"^yes\s*[,:\-]?\s*", "", text, flags=re.I) or "Yes (language not given)"
        limit = BY_KEY[key].max_len
        if limit and len(text) > limit:
            self._error(r, key, f"is longer than {limit} characters")
            return
        r.values[key] = text

    def _ref(self, r: RowResult, key: str, value) -> None:
        text = _clean_line(value)
        if text:
            r.values[key] = text[:80]

    def _name(self, r: RowResult, key: str, value) -> None:
        text = _clean_line(value)
        if not text or text.casefold() in _ANONYMOUS:
            return
        limit = BY_KEY[key].max_len
        if limit and len(text) > limit:
            self._error(r, key, f"is longer than {limit} characters")
            return
        if text.startswith("=") and "(" in text:
            # Formula text such as =HYPERLINK(...) is kept as text, never run: but it is not a name.
            self._error(r, key, f"'{text[:40]}' is a spreadsheet formula, not a name")
            return
        r.values[key] = text

    def _email(self, r: RowResult, key: str, value) -> None:
        text = _clean_line(value)
        if not text or text.casefold() in _ANONYMOUS:
            return
        c = check_email(text)
        if c.problem:
            self._error(r, key, f"'{text}' is not an email address that can be used")
        elif c.value:
            r.values[key] = c.value

    def _phone(self, r: RowResult, key: str, value) -> None:
        if isinstance(value, dt.date | dt.time | dt.timedelta) or (
                isinstance(value, str) and _DATE_LIKE.match(value.strip())):
            # A phone column formatted as dates turns the number into one: never guess it back.
            self._error(r, key, f"'{_clean_line(value)}' is a date, not a phone number (is the column "
                                "formatted as dates?)")
            return
        c = check_phone(value)
        if c.problem:
            self._error(r, key, f"'{_clean_line(value)}' is not a phone number that can be used")
            return
        if c.value:
            r.values[key] = c.value
        if c.note:
            r.add(NOTE, key, f"{_label(key)}: {c.note}")

    def _postcode(self, r: RowResult, key: str, value) -> None:
        text = _clean_line(value)
        pc = normalise_postcode(text)
        if pc is None:
            self._error(r, key, f"'{text}' is not a UK postcode (for example LE1 6ZZ)")
            return
        r.values[key] = pc

    def _date(self, r: RowResult, key: str, value) -> None:
        self._moment(r, key, value)

    def _datetime(self, r: RowResult, key: str, value) -> None:
        self._moment(r, key, value)

    def _moment(self, r: RowResult, key: str, value) -> None:
        try:
            got = D.read_cell(value, self.date1904)
        except D.DateProblem as exc:
            self._error(r, key, f"{exc}: write it as dd/mm/yyyy")
            return
        if got is None:
            return
        if isinstance(got, D.Pending):
            self.orders[key].see(got)
            if r.pending is None:
                r.pending = []
            r.pending.append((key, got))
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            r.add(NOTE, key, f"{_label(key)}: the number {value:g} was read as an Excel date, "
                             f"{D.long_uk(D.as_date(got))}")
        r.values[key] = got

    def _bool(self, r: RowResult, key: str, value) -> None:
        try:
            r.values[key] = parse_bool(_clean_line(value))
        except ValueError as exc:
            r.add(WARNING, key, f"{_label(key)}: {exc}; left as it was")

    def _choice(self, r: RowResult, key: str, value) -> None:
        text = _clean_line(value)
        if not text:
            return
        try:
            if key == "how_heard":
                hh = parse_how_heard(text)
                if hh.channel is not None:
                    r.values[key] = hh.channel.value
                    if hh.other_text:
                        r.values["how_heard_other"] = hh.other_text
                return
            if key == "basis":
                v = parse_basis(text)
            elif key == "selection_method":
                v = parse_selection(text)
            elif key == "preferred_contact":
                v = parse_contact(text)
            else:
                v = parse_equality(key, text)
        except ValueError as exc:
            what = "not recorded" if key in EQUALITY_KEYS else "left blank"
            r.add(WARNING, key, f"{_label(key)}: {exc}; {what}")
            return
        if v is not None:
            r.values[key] = v

    def _multi(self, r: RowResult, key: str, value) -> None:
        areas = parse_areas(_clean_line(value))
        if areas:
            r.values[key] = areas

    # pass 2 ---------------------------------------------------------------------------------
    def date_notes(self) -> list[str]:
        """What the whole file said about day/month order, for the preview."""
        out = []
        for key, order in self.orders.items():
            if order.order == "mdy":
                out.append(f"{_label(key)}: the dates are written month first (as in the USA), for example "
                           "04/25/2024; they were read that way.")
            elif order.mixed:
                out.append(f"{_label(key)}: the column mixes day-first and month-first dates; dates that could "
                           "be read either way are flagged.")
        return out

    def _to_utc(self, moment):
        """``D.to_utc``, with the UK's offset from UTC looked up once per hour of wall-clock time
        (since 1972 the clocks change on the hour, so a whole hour shares one offset)."""
        if moment.__class__ is not dt.datetime or moment.tzinfo is not None or moment.fold or moment.year < 1972:
            return D.to_utc(moment)
        hour = (moment.year, moment.month, moment.day, moment.hour)
        offset = self._offsets.get(hour)
        if offset is None:
            start = moment.replace(minute=0, second=0, microsecond=0)
            offset = self._offsets[hour] = start - D.to_utc(start).replace(tzinfo=None)
        return (moment - offset).replace(tzinfo=D.UTC)

    def _answers_hash(self, v: dict) -> str:
        """``answers_hash(v)`` for a row holding only keys this file can give (sorted once)."""
        get = v.get
        parts = [f"{key}\x1f{value}" for key in self._hash_keys if (value := get(key)) is not None and value != ""]
        return hashlib.sha256("\x1e".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def finish(self, r: RowResult) -> RowResult:
        v = r.values.to_dict() if isinstance(r.values, Values) else r.values
        if r.pending:
            for key, p in r.pending:
                order = self.orders[key]
                try:
                    res = D.resolve(p, order.order, birth=(key == "date_of_birth"), today=self.today)
                except D.DateProblem as exc:
                    self._error(r, key, f"{exc}: write it as dd/mm/yyyy")
                    continue
                v[key] = res.value
                if res.doubtful and not order.settled:
                    d = D.as_date(res.value)
                    first_way = "day first, the UK way" if order.order == "dmy" else "month first"
                    r.add(WARNING, key,
                          f"{_label(key)}: '{p.raw}' was read as {D.long_uk(d)} ({first_way}); nothing else in "
                          "the column shows which order it uses, so check it")
            r.pending = None
        # Names: first and last, or split from the full name.
        first, last = v.get("first_name"), v.get("last_name")
        full = v.pop("full_name", None)
        if full and not (first or last):
            first, last = _split_name(full)
        elif full and not last:
            last = _split_name(full)[1] or None
        elif full and not first:
            first = _split_name(full)[0] or None
        if not first and not last:
            r.add(ERROR, "full_name", "No name given: every applicant needs a name")
        elif not first or not last:
            r.add(WARNING, "full_name", "Only one name was given; it was recorded as the first name"
                  if first else "Only a last name was given")
        for key, value in (("first_name", first), ("last_name", last)):
            if value and len(value) > 100:
                r.add(ERROR, key, f"{_label(key)} is longer than 100 characters")
        v["first_name"] = first or ""
        v["last_name"] = last or ""
        # Dates: birth must be believable; moments become UTC.
        dob = v.get("date_of_birth")
        if dob is not None:
            dob = D.as_date(dob)
            v["date_of_birth"] = dob
            if dob > self.today:
                r.add(ERROR, "date_of_birth", f"Date of birth: {dob:%d/%m/%Y} is in the future")
            elif dob < self.oldest_birth:
                r.add(ERROR, "date_of_birth", f"Date of birth: {dob:%d/%m/%Y} is more than 120 years ago")
            elif dob > self.adult_birth:
                r.add(WARNING, "date_of_birth", f"Date of birth: {dob:%d/%m/%Y} makes them under 18")
        for key in ("received_at", "start_time"):
            if key in v:
                v[key] = self._to_utc(v[key])
        if v.get("received_at") and v["received_at"] > self.latest_received:
            r.add(WARNING, "received_at", "Date received is in the future")
        # Eligibility from the postcodes (never rejected on the district alone).
        e = eligibility_of(v.get("postcode"), v.get("work_postcode"))
        v["residence"] = e.residence
        v["home_area"] = e.home_area
        v["work_area"] = e.work_area
        if e.warning is not None and (e.residence != Residence.NOT_GIVEN.value or not r.has_error):
            r.add(WARNING, "postcode", e.warning)
        # Keys for recognising the same person.
        email = v.get("email")
        if email:
            key = email.casefold()
            r.email_key = email if key == email else key
        r.phone_key = v.get("phone")
        r.name_key = name_key(first, last, dob)
        r.answers_hash = self._answers_hash(v) if v.keys() <= self._hash_known else answers_hash(v)
        r.external_ref = external_ref(v, r)
        v.pop("start_time", None)  # only part of the row's identity (external_ref)
        r.values = self.layout.pack(v)
        if r.has_error:
            r.status = REJECTED
        return r


class Eligibility(NamedTuple):
    residence: str
    home_area: str
    work_area: str
    notes: str  # the reasons, in plain English
    warning: str | None  # for the preview: a postcode to confirm, or no postcode at all


@lru_cache(maxsize=8192)
def eligibility_of(postcode: str | None, work_postcode: str | None) -> Eligibility:
    """What a pair of postcodes says, worked out once per distinct pair (offices share postcodes)."""
    home = place(postcode)
    work = place(work_postcode)
    residence, area, reasons = combine(home, work)
    warning = None
    if residence is Residence.NEEDS_CONFIRMATION:
        which = [p for p in (home, work) if p.residence is Residence.NEEDS_CONFIRMATION]
        outside = any(p.area is Area.UNKNOWN for p in which)
        what = "outside LLR or not known" if outside else "on the LLR boundary"
        warning = (f"Postcode {which[0].postcode} is {what}: a person must confirm eligibility "
                   f"({which[0].reason})")
    elif residence is Residence.NOT_GIVEN:
        warning = "No home or work postcode: eligibility cannot be checked"  # only shown on a row without errors
    return Eligibility(residence.value, area.value, work.area.value, "; ".join(reasons), warning)


def eligibility(values) -> dict:
    """What the postcodes say (never a rejection): residence, areas, and the reasons in plain English."""
    e = eligibility_of(values.get("postcode"), values.get("work_postcode"))
    return {"residence": e.residence, "home_area": e.home_area, "work_area": e.work_area,
            "eligibility_notes": e.notes}


_HASH_SKIP = {"residence", "home_area", "work_area"}


def answers_hash(values: dict) -> str:
    """A hash of the answers (not of how they were laid out): same answers, same hash."""
    parts = [f"{key}\x1f{values[key]}" for key in sorted(values)
             if key not in _HASH_SKIP and values[key] is not None and values[key] != ""]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _compact_moment(moment: dt.datetime) -> str:
    """``f"{moment:%Y%m%dT%H%M%S}"``, without strftime's cost for the usual four-digit years."""
    if moment.__class__ is not dt.datetime or moment.year < 1000:
        return f"{moment:%Y%m%dT%H%M%S}"
    return (f"{moment.year}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}"
            f"{moment.second:02d}")


def external_ref(values: dict, r: RowResult) -> str | None:
    """The row's identity in the producer's export: the Forms ID (with its start time), or a hash
    of when it was submitted and by whom (no personal data is stored in the reference)."""
    ref = values.get("external_ref")
    if ref:
        start = values.get("start_time")
        return f"id:{ref}" + (f"@{_compact_moment(start)}" if start else "")
    received = values.get("received_at")
    who = r.email_key or r.phone_key or _fold(f"{values.get('first_name', '')} {values.get('last_name', '')}")
    if received and who:
        digest = hashlib.sha256(f"{received.isoformat()}|{who}".encode()).hexdigest()[:40]
        return f"row:{digest}"
    if who and r.answers_hash:
        # No date and nothing else to recognise the row by: its answers are its identity, so
        # importing the same sheet again adds nothing.
        return f"ans:{r.answers_hash[:40]}"
    return None


def validate_rows(validator: RowValidator, rows: Iterable[tuple[int, tuple]]) -> list[RowResult]:
    """Both passes over rows already read (tests and small files)."""
    return validator.check_all(rows)
