"""The Ministry of Finance classification catalogs, shipped as CSV data in this package.

Two catalogs are loaded (see README.md next to this file for sources and coverage):

* ``economic_codes.csv``: 支出经济分类科目, both the 部门预算 system (``econ_department``,
  类 301..399, 款 30101..) and the 政府预算 system (``econ_government``, 类 501..599,
  款 50101..), with the usual 部门 -> 政府 mapping.
* ``function_codes.csv``: 支出功能分类科目 (类 201..234, 款 5 digits, 项 7 digits).

Name lookups are forgiving about how reports print names: the name is normalised (NFKC,
leading enumeration such as ``一、`` ``1、`` ``(1)`` ``（一）`` ``①`` and ``其中：`` stripped,
whitespace removed, full/half-width and other bracket forms folded to ``()``) and matched
against each entry's name and its aliases. A name that matches several entries is resolved
in this order, and yields ``None`` when still ambiguous:

1. entries whose own name matches win over entries matched only through an alias;
2. for economic names, the ``system`` argument keeps one system; candidates spread over
   both systems (住房公积金 is 30113 and 50103) are never guessed between;
3. a single 类 among the candidates wins (其他支出 -> 229, not 款 21999/22999), because
   reports print bare names mostly in the 类-level summary tables;
4. a candidate that is an ancestor of all the others wins (其他卫生健康支出 -> 21099 over
   its own 项 2109999).

Everything is read once and cached; the records are immutable.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, TypeVar

from dagster_project.text.patterns import CIRCLED_NUMBER, CN_NUMERALS, LIST_MARKS, OF_WHICH, list_number

__all__ = [
    "ECONOMIC_SYSTEMS",
    "EconomicCode",
    "FunctionCode",
    "economic_codes",
    "economic_level",
    "economic_record",
    "economic_system",
    "function_codes",
    "function_level",
    "function_record",
    "normalize_name",
    "resolve_economic_name",
    "resolve_function_name",
]

EconomicSystem = Literal["econ_department", "econ_government"]
ECONOMIC_SYSTEMS: tuple[EconomicSystem, ...] = ("econ_department", "econ_government")


@dataclass(frozen=True, slots=True)
class EconomicCode:
    """One 类 or 款 of the 支出经济分类 (部门 or 政府 system)."""

    code: str
    name: str
    system: EconomicSystem
    level: Literal["类", "款"]
    parent_code: str | None
    # For 部门 entries: the 政府 code it usually maps to for 机关 (administrative units); a
    # 3-digit 类 where only the 类 of the mapping is certain. None for 政府 entries.
    government_code: str | None
    # For 部门 entries: the 政府 code used instead for 事业单位 (public institutions), when it
    # differs from ``government_code`` (e.g. 301xx -> 50501). None otherwise.
    government_code_institution: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FunctionCode:
    """One 类, 款 or 项 of the 支出功能分类."""

    code: str
    name: str
    level: Literal["类", "款", "项"]
    parent_code: str | None
    aliases: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Name normalisation
# --------------------------------------------------------------------------------------------

# Circled/parenthesised numerals that NFKC would turn into bare digits ('①' -> '1'), so they
# are removed before normalising.
_CIRCLED = re.compile(rf"^[\s\u3000]*{CIRCLED_NUMBER}+")
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")",
                           "〖": "(", "〗": ")", "{": "(", "}": ")"})
# Leading list numbers (一、 （一） 1. 1、) and 其中, on NFKC text: the folded '，' and '：' also
# end a number ('一,' '1:'), '第一、' loses its 第 too, and a bracket may close without opening ('1)').
_LEADING_NUMBERING = re.compile(
    rf"^(?:第?{list_number(marks=LIST_MARKS + ',:')}|[{CN_NUMERALS}\d]{{1,3}}\)|{OF_WHICH})+"
)
_LEVEL_SUFFIX = re.compile(r"\((?:类|款|项)\)$")
_WHITESPACE = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The matching form of a classification name as printed in a report.

    NFKC (full-width to half-width), leading enumeration stripped, whitespace removed, all
    bracket forms folded to ``()``, a trailing ``(类)``/``(款)``/``(项)`` marker dropped.

    >>> normalize_name("十、卫生健康支出")
    '卫生健康支出'
    >>> normalize_name("（1）维修（护）费")
    '维修(护)费'
    """
    text = _CIRCLED.sub("", name or "")
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub("", text).translate(_BRACKETS)
    text = _LEADING_NUMBERING.sub("", text)
    text = _LEVEL_SUFFIX.sub("", text)
    return text


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _read_csv(filename: str) -> list[dict[str, str]]:
    source = resources.files(__name__).joinpath(filename)
    with source.open("r", encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _aliases(cell: str) -> tuple[str, ...]:
    return tuple(alias.strip() for alias in cell.split("|") if alias.strip())


@cache
def _economic() -> tuple[EconomicCode, ...]:
    return tuple(
        EconomicCode(
            code=row["code"],
            name=row["name"],
            system=row["system"],  # type: ignore[arg-type]
            level=row["level"],  # type: ignore[arg-type]
            parent_code=row["parent_code"] or None,
            government_code=row["government_code"] or None,
            government_code_institution=row["government_code_institution"] or None,
            aliases=_aliases(row["aliases"]),
        )
        for row in _read_csv("economic_codes.csv")
    )


@cache
def _function() -> tuple[FunctionCode, ...]:
    return tuple(
        FunctionCode(
            code=row["code"],
            name=row["name"],
            level=row["level"],  # type: ignore[arg-type]
            parent_code=row["parent_code"] or None,
            aliases=_aliases(row["aliases"]),
        )
        for row in _read_csv("function_codes.csv")
    )


def economic_codes() -> list[EconomicCode]:
    """Every 支出经济分类 entry, 部门 system first, in catalogue order."""
    return list(_economic())


def function_codes() -> list[FunctionCode]:
    """Every 支出功能分类 entry, in catalogue order (each 类 followed by its 款 and 项)."""
    return list(_function())


@cache
def _economic_by_code() -> dict[str, EconomicCode]:
    return {record.code: record for record in _economic()}


@cache
def _function_by_code() -> dict[str, FunctionCode]:
    return {record.code: record for record in _function()}


def economic_record(code: str) -> EconomicCode | None:
    """The catalogue entry of an economic code (3 or 5 digits), or None if not catalogued."""
    return _economic_by_code().get(code.strip())


def function_record(code: str) -> FunctionCode | None:
    """The catalogue entry of a function code (3, 5 or 7 digits), or None if not catalogued."""
    return _function_by_code().get(code.strip())


# --------------------------------------------------------------------------------------------
# Name indexes and resolution
# --------------------------------------------------------------------------------------------

_R = TypeVar("_R", EconomicCode, FunctionCode)


def _index(records: Iterable[_R]) -> dict[str, tuple[tuple[_R, bool], ...]]:
    """Normalised name -> ((record, matched_by_own_name), ...), one entry per record."""
    found: dict[str, dict[str, tuple[_R, bool]]] = {}
    for record in records:
        for label, primary in [(record.name, True), *((a, False) for a in record.aliases)]:
            key = normalize_name(label)
            if not key:
                continue
            per_code = found.setdefault(key, {})
            previous = per_code.get(record.code)
            if previous is None or (primary and not previous[1]):
                per_code[record.code] = (record, primary)
    return {key: tuple(per_code.values()) for key, per_code in found.items()}


@cache
def _economic_index() -> dict[str, tuple[tuple[EconomicCode, bool], ...]]:
    return _index(_economic())


@cache
def _function_index() -> dict[str, tuple[tuple[FunctionCode, bool], ...]]:
    return _index(_function())


def _pick(candidates: Sequence[tuple[_R, bool]]) -> _R | None:
    """The one record a name means among its candidates, or None when it stays ambiguous."""
    if not candidates:
        return None
    primary = [record for record, by_name in candidates if by_name]
    records = primary or [record for record, _ in candidates]
    if len(records) == 1:
        return records[0]
    top = [record for record in records if record.level == "类"]
    if len(top) == 1:
        return top[0]
    for record in records:
        if all(other.code.startswith(record.code) for other in records):
            return record
    return None


def resolve_economic_name(name: str, system: str | None = None) -> str | None:
    """The economic code a printed name stands for, or None when unknown or ambiguous.

    ``system`` (``"econ_department"`` or ``"econ_government"``) restricts the lookup to one
    system; without it a name present in both systems (住房公积金: 30113 and 50103; 工资福利支出:
    301 and 50501) is ambiguous and yields None.

    >>> resolve_economic_name("基本工资", "econ_department")
    '30101'
    >>> resolve_economic_name("住房公积金") is None
    True
    """
    if system is not None and system not in ECONOMIC_SYSTEMS:
        raise ValueError(f"unknown economic system {system!r}; expected one of {ECONOMIC_SYSTEMS}")
    candidates = _economic_index().get(normalize_name(name), ())
    if system is not None:
        candidates = tuple(c for c in candidates if c[0].system == system)
    if len({record.system for record, _ in candidates}) > 1:
        return None
    record = _pick(candidates)
    return record.code if record else None


# 项 names that the full catalogue repeats under almost every administrative 款 (项 01, 02, 03
# and 50). The CSV holds only a subset of 项, so such a name may look unique there while it is
# not; it is never resolved by name alone.
_REPEATED_ITEM_NAMES = frozenset({"行政运行", "一般行政管理事务", "机关服务", "事业运行"})


def resolve_function_name(name: str) -> str | None:
    """The function code a printed name stands for, or None when unknown or ambiguous.

    >>> resolve_function_name("十、卫生健康支出")
    '210'
    >>> resolve_function_name("行政运行") is None
    True
    """
    key = normalize_name(name)
    if key in _REPEATED_ITEM_NAMES:
        return None
    record = _pick(_function_index().get(key, ()))
    return record.code if record else None


# --------------------------------------------------------------------------------------------
# Code patterns
# --------------------------------------------------------------------------------------------

_FUNCTION_LEVELS: dict[int, Literal["类", "款", "项"]] = {3: "类", 5: "款", 7: "项"}
_ECONOMIC_LEVELS: dict[int, Literal["类", "款"]] = {3: "类", 5: "款"}


def function_level(code: str) -> Literal["类", "款", "项"] | None:
    """类/款/项 from the shape of a function code (2xx, 2xxxx, 2xxxxxx), else None.

    The answer comes from the pattern alone; the code need not be catalogued.
    """
    code = code.strip()
    if not (code.isascii() and code.isdigit() and code.startswith("2")):
        return None
    return _FUNCTION_LEVELS.get(len(code))


def economic_system(code: str) -> EconomicSystem | None:
    """``econ_department`` for 3xx/3xxxx, ``econ_government`` for 5xx/5xxxx, else None."""
    code = code.strip()
    if not (code.isascii() and code.isdigit() and len(code) in _ECONOMIC_LEVELS):
        return None
    return {"3": "econ_department", "5": "econ_government"}.get(code[0])  # type: ignore[return-value]


def economic_level(code: str) -> Literal["类", "款"] | None:
    """类 for a 3-digit, 款 for a 5-digit economic code (3xx.. or 5xx..), else None."""
    if economic_system(code) is None:
        return None
    return _ECONOMIC_LEVELS[len(code.strip())]
