"""UK postcodes: validate, normalise, and place in Leicester, Leicestershire or Rutland.

The district table (``resources/reference/llr_postcode_districts.csv``) is best
knowledge, not the ONS lookup: a district that straddles the boundary, or one
not in the table, is flagged for a person to confirm. Nobody is rejected on the
district alone.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import resources
from db.enums import Area, Residence

# Outward code (area letters, district digit, optional letter or digit), then the
# inward code (sector digit, two unit letters). Covers every current format, and GIR 0AA.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


@dataclass(frozen=True)
class District:
    district: str
    post_town: str
    area_hint: str
    status: str
    note: str


@dataclass(frozen=True)
class Placement:
    postcode: str | None
    district: str | None
    residence: Residence
    area: Area
    reason: str


_EMBEDDED = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9O][ABD-HJLNP-UW-Z]{2})(?![A-Z0-9])")


def _canonical(s: str) -> str | None:
    # People type O for 0 in the inward code's digit position.
    if len(s) >= 5 and s[-3] == "O":
        s = s[:-3] + "0" + s[-2:]
    if s == "GIR0AA":
        return "GIR 0AA"
    m = _POSTCODE.match(s)
    if not m:
        return None
    return f"{m.group(1)} {m.group(2)}"


def normalise_postcode(text: str | None) -> str | None:
    """'le1 6zz' -> 'LE1 6ZZ'. Returns None for anything that is not a UK postcode.

    Forgiving about what people and spreadsheets do: any case, spaces (also
    non-breaking) or none, stray punctuation, full-width characters, O typed for 0
    in the inward code, and a postcode at the end of an address typed into one
    cell ("12 High Street, Leicester LE1 6ZZ").
    """
    if text is None:
        return None
    raw = unicodedata.normalize("NFKC", str(text)).upper()
    found = _canonical(re.sub(r"[^A-Z0-9]", "", raw))
    if found is not None:
        return found
    # A postcode inside longer text: take the last one (addresses end with the postcode).
    spaced = " ".join(re.sub(r"[^A-Z0-9]", " ", raw).split())
    if len(spaced) > 8:
        hits = list(_EMBEDDED.finditer(spaced))
        if len(hits) >= 1:
            return _canonical(hits[-1].group(1) + hits[-1].group(2))
    return None


@lru_cache(maxsize=1)
def districts() -> dict[str, District]:
    with open(resources.path("reference", "llr_postcode_districts.csv"), encoding="utf-8") as fh:
        return {
            row["district"].strip().upper(): District(
                row["district"].strip().upper(), row["post_town"], row["area_hint"], row["status"],
                row.get("note") or "",
            )
            for row in csv.DictReader(fh)
        }


_AREA_FROM_HINT = {
    "city": Area.CITY,
    "county": Area.COUNTY,
    "rutland": Area.RUTLAND,
    "city_or_county": Area.CITY_OR_COUNTY,
}


def place(text: str | None) -> Placement:
    """Where a postcode puts someone, with the reason in plain English."""
    if text is None or not str(text).strip():
        return Placement(None, None, Residence.NOT_GIVEN, Area.UNKNOWN, "no postcode given")
    pc = normalise_postcode(text)
    if pc is None:
        return Placement(None, None, Residence.NOT_GIVEN, Area.UNKNOWN, f"'{text}' is not a UK postcode")
    outward = pc.split()[0]
    d = districts().get(outward)
    if d is None:
        return Placement(pc, outward, Residence.NEEDS_CONFIRMATION, Area.UNKNOWN,
                         f"{outward} is not a district known to cover LLR: a person should confirm")
    area = _AREA_FROM_HINT.get(d.area_hint, Area.UNKNOWN)
    if d.status == "check_full_postcode":
        return Placement(pc, outward, Residence.NEEDS_CONFIRMATION, area,
                         f"{outward} straddles the LLR boundary ({d.note or d.post_town}): confirm the full postcode")
    return Placement(pc, outward, Residence.IN_LLR, area, f"{outward} ({d.post_town}) is in LLR")


def combine(home: Placement, work: Placement) -> tuple[Residence, Area, list[str]]:
    """Lives and/or works in LLR: either postcode in LLR is enough."""
    reasons = []
    if home.residence is not Residence.NOT_GIVEN or home.postcode:
        reasons.append(f"home: {home.reason}")
    if work.residence is not Residence.NOT_GIVEN or work.postcode:
        reasons.append(f"work: {work.reason}")
    if not reasons:
        reasons.append("no home or work postcode given")
    if Residence.IN_LLR in (home.residence, work.residence):
        residence = Residence.IN_LLR
    elif Residence.NEEDS_CONFIRMATION in (home.residence, work.residence):
        residence = Residence.NEEDS_CONFIRMATION
    else:
        residence = Residence.NOT_GIVEN
    area = home.area if home.area is not Area.UNKNOWN else work.area
    return residence, area, reasons
