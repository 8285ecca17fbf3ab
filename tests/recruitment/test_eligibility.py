"""Eligibility: flags with reasons from the postcodes, decided by a person, never automatic."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.enums import Area, EligibilityDecision, Residence, Stage
from lived_experience.core.errors import ConflictError, ValidationError
from lived_experience.recruitment.applicants import get_applicant
from lived_experience.recruitment.eligibility import assess, get_eligibility, record_decision
from lived_experience.recruitment.postcodes import districts, normalise_postcode, place
from tests.conftest import as_role
from tests.recruitment.conftest import add, make_window

CANONICAL = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")


@pytest.mark.parametrize("home,work,residence,area", [
    ("LE1 6ZZ", None, Residence.IN_LLR, Area.CITY),
    ("le15 6aa", None, Residence.NEEDS_CONFIRMATION, Area.RUTLAND),
    ("NG13 8AA", None, Residence.NEEDS_CONFIRMATION, Area.COUNTY),
    ("SW1A 1AA", None, Residence.NEEDS_CONFIRMATION, Area.UNKNOWN),
    ("SW1A 1AA", "LE11 3TU", Residence.IN_LLR, Area.COUNTY),
    (None, "LE3 9QP", Residence.IN_LLR, Area.CITY_OR_COUNTY),
    ("nonsense", None, Residence.NOT_GIVEN, Area.UNKNOWN),
    (None, None, Residence.NOT_GIVEN, Area.UNKNOWN),
])
def test_flags_and_reasons_from_postcodes(home, work, residence, area):
    v = assess(home, work, "victim", [("fraud", None)])
    assert v.residence is residence and v.area is area
    assert v.reasons[0].startswith("Home postcode") and v.reasons[1].startswith("Work postcode")
    assert "Basis of lived experience: Victim of crime" in v.reasons and "Experience: Fraud" in v.reasons
    if residence is not Residence.IN_LLR:
        assert v.warnings  # a person must look


def test_missing_basis_and_sector_representatives_are_pointed_out():
    assert "not given" in assess("LE1 6ZZ", None, None).reasons[2]
    assert any("point of view" in w for w in assess("LE1 6ZZ", None, "sector_representative").warnings)


# -- postcode normalisation over open-ended input ------------------------------------------------
OUTWARD = st.sampled_from(sorted(districts()) + ["SW1A", "EC1A", "M1", "B33", "W1A", "CR2", "DN55"])
INWARD = st.builds(lambda d, a, b: f"{d}{a}{b}", st.integers(0, 9).map(str), st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"),
                   st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"))


@settings(max_examples=300, deadline=None)
@given(OUTWARD, INWARD, st.sampled_from(["", " ", "  ", "\u00a0", "-", " . "]), st.booleans(),
       st.sampled_from(["", " ", "\t", "\n"]))
def test_any_spacing_and_case_normalise_to_one_form(outward, inward, gap, lower, pad):
    canonical = f"{outward} {inward}"
    typed = f"{pad}{outward}{gap}{inward}{pad}"
    if lower:
        typed = typed.lower()
    assert normalise_postcode(typed) == canonical
    assert normalise_postcode(canonical) == canonical


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_normalising_never_crashes_and_gives_a_canonical_postcode_or_none(text):
    out = normalise_postcode(text)
    assert out is None or CANONICAL.match(out) or out == "GIR 0AA"
    if out is not None:
        assert normalise_postcode(out) == out
        p = place(text)
        # Never "outside": unknown districts need a person, they are not rejected.
        assert p.residence in (Residence.IN_LLR, Residence.NEEDS_CONFIRMATION)


def test_normalisation_handles_what_offices_type():
    assert normalise_postcode("le1 ozz") == "LE1 0ZZ"  # O typed for 0
    assert normalise_postcode("ＬＥ１ ６ＺＺ") == "LE1 6ZZ"  # full-width
    assert normalise_postcode("12 High Street, Leicester LE1 6ZZ") == "LE1 6ZZ"
    assert normalise_postcode("LE1 6ZZ, United Kingdom") == "LE1 6ZZ"
    for bad in ("LE1", "12345", "", "hello world", "LE1 6CZ"):
        assert normalise_postcode(bad) is None


# -- the decision ---------------------------------------------------------------------------------------
def test_a_person_records_the_decision_attributed_and_dated(ctx):
    coordinator = as_role(ctx, "coordinator")
    w = make_window(coordinator)
    a = add(coordinator, w.id)
    res = record_decision(coordinator, a.application_id, "eligible", None)
    assert res.moved_to is Stage.ELIGIBILITY_CHECKED
    v = get_eligibility(coordinator, a.application_id)
    assert v.decision is EligibilityDecision.ELIGIBLE and v.decided_by == "Test Coordinator"
    assert v.decided_at is not None and "Eligible by Test Coordinator on" in v.decided


def test_needs_confirmation_needs_a_reason_to_be_eligible(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id, postcode="LE12 6AB")
    with pytest.raises(ValidationError, match="say how you confirmed"):
        record_decision(ctx, a.application_id, "eligible", "")
    record_decision(ctx, a.application_id, "eligible", "Checked the full postcode: Charnwood")
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.eligibility.decision_reason == "Checked the full postcode: Charnwood"
    assert d.history[-1].reason == "Eligible: Checked the full postcode: Charnwood"


def test_not_eligible_needs_a_reason_and_moves_to_unsuccessful(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id, postcode="SW1A 1AA")
    with pytest.raises(ValidationError, match="Say why"):
        record_decision(ctx, a.application_id, "not_eligible", None)
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.stage is Stage.RECEIVED  # flagged, never rejected automatically
    res = record_decision(ctx, a.application_id, "not_eligible", "Lives and works in London",
                          expected_version=d.application_version)
    assert res.moved_to is Stage.UNSUCCESSFUL
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.decision_reason == "outside_area" and d.stage is Stage.UNSUCCESSFUL
    with pytest.raises(ConflictError):
        record_decision(ctx, a.application_id, "eligible", "x", expected_version=d.application_version - 1)


def test_decision_without_moving(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    res = record_decision(ctx, a.application_id, "eligible", None, move_stage=False)
    assert res.moved_to is None
    assert get_applicant(ctx, a.application_id, audit_view=False).stage is Stage.RECEIVED
