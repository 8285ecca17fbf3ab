"""Row validation: plain-English problems, row numbers as Excel shows them, and no surprises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lived_experience.importing import validate as V
from lived_experience.importing.headers import auto_map
from lived_experience.people.identity import normalise_email, normalise_phone

HEADERS = ["Name", "Email", "Phone", "Postcode", "Work postcode", "Date of birth", "Date received",
           "How did you hear about us?", "Which age group are you in?", "Is it safe to phone you?",
           "Which types of crime have you experienced?", "Which of these best describes you?"]
TODAY = dt.date(2025, 6, 1)


def _validator(headers=HEADERS):
    return V.RowValidator(auto_map(headers), today=TODAY, now=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))


def _row(**given):
    """A row in HEADERS order; keyword names are the headers' first words."""
    keys = {"name": 0, "email": 1, "phone": 2, "postcode": 3, "work": 4, "dob": 5, "received": 6, "heard": 7,
            "age": 8, "safe": 9, "crimes": 10, "basis": 11}
    cells = [""] * len(HEADERS)
    cells[0] = "Zoë Smith"
    cells[3] = "LE1 6ZZ"
    for k, v in given.items():
        cells[keys[k]] = v
    return tuple(cells)


def _one(cells, number=2, validator=None):
    validator = validator or _validator()
    return V.validate_rows(validator, [(number, cells)])[0]


def test_a_good_row_has_clean_values_and_no_problems():
    r = _one(_row(email="Zoe.Smith@Example.ORG", phone="07700 900123", dob="17/05/1980", heard="Facebook",
                  age="35-44", safe="Yes", crimes="Domestic abuse;Fraud", basis="I have been a victim of crime"))
    assert r.status == V.NEW and not r.problems
    v = r.values
    assert (v["first_name"], v["last_name"]) == ("Zoë", "Smith")
    assert v["email"] == "Zoe.Smith@example.org" and r.email_key == "zoe.smith@example.org"
    assert v["phone"] == "+447700900123" and v["postcode"] == "LE1 6ZZ"
    assert v["date_of_birth"] == dt.date(1980, 5, 17)
    assert v["how_heard"] == "social_media" and v["age_band"] == "35-44" and v["safe_to_phone"] is True
    assert v["experience_areas"] == (("domestic_abuse", None), ("fraud", None))
    assert v["basis"] == "victim" and v["residence"] == "in_llr" and v["home_area"] == "city"
    assert r.name_key == "zoe|smith|1980-05-17"


@pytest.mark.parametrize("cells,level,words", [
    (_row(name=""), V.ERROR, "No name given"),
    (_row(name="anonymous"), V.ERROR, "No name given"),
    (_row(email="zoe@"), V.ERROR, "Email: 'zoe@' is not an email address"),
    (_row(phone="12345"), V.ERROR, "Phone: '12345' is not a phone number"),
    (_row(postcode="XYZ 123"), V.ERROR, "Home postcode: 'XYZ 123' is not a UK postcode"),
    (_row(dob="next tuesday"), V.ERROR, "Date of birth: 'next tuesday' is not a date"),
    (_row(dob="31/02/1980"), V.ERROR, "Date of birth: '31/02/1980' is not a real date"),
    (_row(dob="01/01/2030"), V.ERROR, "Date of birth: 01/01/2030 is in the future"),
    (_row(postcode="NG1 1AA"), V.WARNING, "outside LLR or not known: a person must confirm"),
    (_row(postcode="LE12 9AB"), V.WARNING, "on the LLR boundary: a person must confirm"),
    (_row(postcode=""), V.WARNING, "No home or work postcode"),
    (_row(age="about forty"), V.WARNING, "Age band: 'about forty' is not one of the answers"),
    (_row(safe="sometimes"), V.WARNING, "Safe to phone: 'sometimes' is not yes or no"),
    (_row(dob="01/06/2010"), V.WARNING, "makes them under 18"),
])
def test_problems_are_plain_english_with_their_level(cells, level, words):
    r = _one(cells)
    found = [p for p in r.problems or () if words in p.message]
    assert found, r.messages()
    assert found[0].level == level
    assert (r.status == V.REJECTED) == (level == V.ERROR)
    assert all("Traceback" not in m and "\n" not in m for m in r.messages())


@pytest.mark.parametrize("value", [7700900123.0, 7700900123, "7700900123", "7700900123.0"])
def test_phone_that_lost_its_leading_zero_is_fixed_and_noted(value):
    r = _one(_row(phone=value))
    assert r.values["phone"] == "+447700900123"
    assert r.status == V.NEW
    assert any(p.level == V.NOTE and "leading 0" in p.message for p in r.problems)


def test_ambiguous_dates_are_read_uk_way_and_flagged_when_the_column_does_not_settle_it():
    v = _validator()
    rows = V.validate_rows(v, [(2, _row(dob="03/04/1980")), (3, _row(dob="05/06/1981"))])
    assert rows[0].values["date_of_birth"] == dt.date(1980, 4, 3)
    assert any("3 April 1980" in m and "check it" in m for m in rows[0].messages(V.WARNING))
    assert rows[0].status == V.NEW  # doubtful, not rejected


def test_a_column_with_a_clear_day_first_value_settles_the_order():
    rows = V.validate_rows(_validator(), [(2, _row(dob="03/04/1980")), (3, _row(dob="25/12/1981"))])
    assert rows[0].values["date_of_birth"] == dt.date(1980, 4, 3)
    assert not rows[0].messages(V.WARNING)


def test_month_first_columns_are_recognised_and_read_that_way():
    v = _validator()
    rows = V.validate_rows(v, [(2, _row(dob="03/04/1980")), (3, _row(dob="12/25/1981"))])
    assert rows[0].values["date_of_birth"] == dt.date(1980, 3, 4)
    assert rows[1].values["date_of_birth"] == dt.date(1981, 12, 25)
    assert any("month first" in n for n in v.date_notes())


@pytest.mark.parametrize("text,expected", [
    ("2024-03-04", dt.datetime(2024, 3, 4, 0, 0)),
    ("2024/03/04 10:15:32 am GMT", dt.datetime(2024, 3, 4, 10, 15, 32)),
    ("4 March 2024", dt.datetime(2024, 3, 4, 0, 0)),
    ("Mar 4, 2024 2:05 PM", dt.datetime(2024, 3, 4, 14, 5)),
    ("25/12/2024 09:00", dt.datetime(2024, 12, 25, 9, 0)),
])
def test_dates_received_in_the_forms_people_write_them(text, expected):
    from lived_experience.core.clock import LONDON

    r = _one(_row(received=text))
    got = r.values["received_at"].astimezone(LONDON).replace(tzinfo=None)
    if "GMT" in text:
        got = r.values["received_at"].replace(tzinfo=None)
    assert got == expected


def test_full_names_are_split_sensibly():
    assert V.split_name("Zoë Smith") == ("Zoë", "Smith")
    assert V.split_name("Smith, Zoë Ann") == ("Zoë Ann", "Smith")
    assert V.split_name("Dr  Mary Jane  O'Brien") == ("Mary Jane", "O'Brien")
    assert V.split_name("Madonna") == ("Madonna", "")


def test_values_longer_than_the_database_allows_are_rejected_not_cut():
    r = _one(_row(name="A" * 150 + " Smith"), validator=_validator())
    assert r.status == V.REJECTED
    assert "First name is longer than 100 characters" in r.reasons


# -- hypothesis ---------------------------------------------------------------------------------
cell = st.one_of(
    st.none(), st.text(max_size=60), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.datetimes(), st.sampled_from(["", " ", "anonymous", "03/04/2024", "LE1 6ZZ",
                                                               "07700900123", "=1+1", "Prefer not to say"]),
    # What other producers hand over: times and durations (python-calamine), text that looks like a
    # date, a formula or a serial, and text no keyboard types.
    st.times(), st.timedeltas(), st.floats(-1e16, 1e16),
    st.sampled_from(["12/13/1980", "31/02/1980", "2025/04/03 9:15:02 am GMT+1", "32767-12-31", "-000-32768-01-01",
                     '=HYPERLINK("http://x.test","click")', "مريم أحمد", "王芳", "Zoë 💪🏽", "\x00\x07", "\u202e",
                     "1e308", "NaN", "#N/A", "4 March 2024", "Mar 4, 2024 10:15 PM", "29/02/2023"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[cell] * len(HEADERS)), min_size=1, max_size=6))
def test_any_cells_give_a_result_never_an_exception(rows):
    v = _validator()
    results = V.validate_rows(v, [(i + 2, tuple(r)) for i, r in enumerate(rows)])
    assert [r.number for r in results] == list(range(2, len(rows) + 2))
    for r in results:
        assert all(isinstance(p.message, str) and p.message for p in r.problems or ())
        if r.status != V.REJECTED:
            assert r.values.get("first_name") or r.values.get("last_name")
            assert r.answers_hash and len(r.answers_hash) == 64
        else:
            assert r.reasons
        for key in ("email", "phone", "postcode"):
            value = r.values.get(key)
            assert value is None or isinstance(value, str)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.emails(), st.text(alphabet="abcXYZ09.-_+@'", max_size=40),
                 st.from_regex(r"[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,20}(\.[A-Za-z0-9-]{1,10}){1,3}",
                               fullmatch=True)))
def test_the_fast_email_path_agrees_with_the_full_validator(text):
    fast = V.fast_email(text)
    if fast is not None:
        assert fast == normalise_email(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(
    st.from_regex(r"(\+44|0044|0)? ?[1237]\d{3} ?\d{3} ?\d{3}", fullmatch=True),
    st.integers(10**8, 10**11), st.floats(1e8, 1e11), st.text(alphabet="0123456789 +-", max_size=16),
))
def test_the_fast_phone_path_agrees_with_the_full_parser(value):
    fast = V.fast_phone(value)
    if fast is not None:
        assert fast == normalise_phone(value)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1905, 1, 1), max_value=dt.date(2024, 12, 31)))
def test_uk_written_dates_read_back_exactly_when_the_column_settles_the_order(d):
    v = _validator()
    rows = V.validate_rows(v, [(2, _row(dob=d.strftime("%d/%m/%Y"))), (3, _row(dob="25/12/1980"))])
    assert rows[0].values["date_of_birth"] == d


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(HEADERS[1:]), min_size=2, max_size=len(HEADERS) - 1, unique=True),
       st.integers(0, 11))
def test_header_order_does_not_change_the_values(others, at):
    order = [*others[:at], "Name", *others[at:]]
    base = dict(zip(HEADERS, _row(email="a@example.org", phone="07700900123", dob="25/12/1980", age="25-34"),
                    strict=True))
    r1 = _one(tuple(base[h] for h in HEADERS), validator=_validator(HEADERS))
    r2 = _one(tuple(base[h] for h in order), validator=_validator(order))
    for key in r2.values:
        if key in r1.values and key not in ("residence", "home_area", "work_area"):
            assert r1.values[key] == r2.values[key]


# Timestamps as a form exports them: in the order the answers arrived, over a recruitment window.
stamps = st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2025, 5, 31)),
                  min_size=1, max_size=12).map(sorted)


@settings(max_examples=300, deadline=None)
@given(stamps, st.sampled_from(["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]))
def test_timestamps_in_arrival_order_are_read_right_or_flagged_never_silently_wrong(moments, pattern):
    v = _validator()
    rows = V.validate_rows(v, [(i + 2, _row(received=m.strftime(pattern))) for i, m in enumerate(moments)])
    for m, r in zip(moments, rows, strict=True):
        got = r.values.get("received_at")
        flagged = any("check it" in p for p in r.messages()) or r.has_error
        right = got is not None and got.astimezone(dt.UTC).replace(tzinfo=None) == _utc(m.replace(second=0,
                                                                                                  microsecond=0))
        assert right or flagged, (m, got, r.messages())


def _utc(naive_uk: dt.datetime) -> dt.datetime:
    from lived_experience.core import clock

    return naive_uk.replace(tzinfo=clock.LONDON).astimezone(dt.UTC).replace(tzinfo=None)
