"""Real county and city names with their province and city, from the `cpca` package's data.

cpca ships the administrative division codes (adcodes.csv: 12-digit code, name); the first six
digits nest province (PP0000), city (PPCC00) and county (PPCCXX). Only counties whose name is
unique in the country and whose city is a real one (not 市辖区 or 省直辖县级行政区划) are
used for county departments, so the name alone determines the region; the file is read with
the standard csv module (importing cpca itself would import pandas).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

_NOT_A_CITY = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    county: str | None  # None: a city-level department

    @property
    def name(self) -> str:
        return self.county or self.city


@cache
def _divisions() -> dict[str, str]:
    with resources.files("cpca.resources").joinpath("adcodes.csv").open(encoding="utf-8") as handle:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(handle)}


@cache
def counties() -> tuple[Place, ...]:
    names = _divisions()
    county_codes = [code for code in names if not code.endswith("00")]
    counts = Counter(names[code] for code in county_codes)
    out = []
    for code in sorted(county_codes):
        city = names.get(code[:4] + "00")
        province = names.get(code[:2] + "0000")
        if counts[names[code]] == 1 and city and province and city not in _NOT_A_CITY:
            out.append(Place(province, city, names[code]))
    return tuple(out)


@cache
def cities() -> tuple[Place, ...]:
    names = _divisions()
    out = []
    for code in sorted(names):
        if code.endswith("00") and not code.endswith("0000") and names[code] not in _NOT_A_CITY:
            province = names.get(code[:2] + "0000")
            if province:
                out.append(Place(province, names[code], None))
    return tuple(out)
