"""The 2021 Census figures for Leicester, Leicestershire and Rutland (reference data).

Read from ``resources/reference/llr_census_2021.csv``. Percentages are of all
usual residents except age, which is compared with adults only: the 0-14 band
is left out and the other bands rebased to 100%.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

import resources

LLR = "LLR"
AREA_CODES = {"city": "E06000016", "county": "E10000018", "rutland": "E06000017"}


@dataclass(frozen=True)
class Census:
    # topic -> census category -> percent of LLR (age: of residents aged 15 and over)
    percents: dict[str, dict[str, float]]
    area_percents: dict[str, float]  # city / county / rutland -> percent of LLR residents
    residents: int  # LLR usual residents
    source: str


@functools.cache
def load_census() -> Census:
    path = resources.path("reference", "llr_census_2021.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    percents: dict[str, dict[str, float]] = {}
    totals: dict[str, int] = {}
    for r in rows:
        if r["topic"] == "ethnic_group_broad" and r["category"] == "Total usual residents":
            totals[r["area_code"]] = int(r["count"])
        if r["area_code"] != LLR or r["category"] == "Total usual residents":
            continue
        percents.setdefault(r["topic"], {})[r["category"]] = float(r["percent"])
    ages = percents.get("age_band", {})
    adults = {k: v for k, v in ages.items() if k != "0-14"}
    base = sum(adults.values())
    percents["age_band"] = {k: round(100 * v / base, 1) for k, v in adults.items()}
    residents = totals[LLR]
    area = {key: round(100 * totals[code] / residents, 1) for key, code in AREA_CODES.items()}
    return Census(percents, area, residents,
                  "ONS Census 2021 (usual residents), via resources/reference/llr_census_2021.csv")
