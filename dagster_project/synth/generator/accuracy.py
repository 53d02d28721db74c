"""Generated reports' gold against what the pipeline made of them.

Line items are compared as multisets of their key (table kind, code, paired code, budget unit,
measure, fund source, year) with the exact amount: a lost, doubled or altered amount shows as
one missing and/or one extra fact and never cancels out. Headline figures are compared with
the disclosure's row of `mart_budget_overview`, projects by name and amount, and the data-
quality verdicts with the injected errors (a disclosure with an error must have a finding, a
clean one none).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

KEY = ("table_kind", "code", "paired_code", "budget_unit_code", "measure", "fund_source", "value_year", "amount_yuan")
HEADLINES = ("total_revenue_yuan", "total_expenditure_yuan", "basic_expenditure_yuan", "project_expenditure_yuan",
             "three_public_yuan")


def item_key(item: Mapping) -> tuple:
    values = []
    for name in KEY:
        value = item.get(name)
        if name == "amount_yuan" and value is not None:
            value = str(Decimal(str(value)).quantize(Decimal("0.01")))
        elif name == "value_year" and value is not None:
            value = int(value)
        values.append(value)
    return tuple(values)


def compare_items(gold: Iterable[Mapping], actual: Iterable[Mapping]) -> tuple[Counter, Counter]:
    """(missing from actual, extra in actual) as multisets of item keys."""
    want = Counter(item_key(i) for i in gold)
    got = Counter(item_key(i) for i in actual)
    return want - got, got - want


@dataclass
class DocumentScore:
    file: str
    gold_items: int
    missing: Counter = field(default_factory=Counter)
    extra: Counter = field(default_factory=Counter)
    headline_misses: dict[str, tuple] = field(default_factory=dict)
    project_misses: list = field(default_factory=list)
    metadata_misses: dict[str, tuple] = field(default_factory=dict)
    quality_miss: str | None = None

    @property
    def exact(self) -> bool:
        return not (self.missing or self.extra or self.headline_misses or self.project_misses
                    or self.metadata_misses or self.quality_miss)


def score_document(gold: Mapping, items: Iterable[Mapping], document: Mapping | None = None,
                   overview: Mapping | None = None, projects: Iterable[Mapping] = (),
                   findings: int | None = None) -> DocumentScore:
    """One document: staging line items (and, when given, its staging document row, its
    disclosure's mart_budget_overview row, its staged projects and its number of quality
    findings) against the gold."""
    missing, extra = compare_items(gold["line_items"], items)
    score = DocumentScore(gold["file"], len(gold["line_items"]), missing, extra)
    if document is not None:
        region = [document.get("region_province"), document.get("region_city"), document.get("region_county")]
        for name, want, got in (("department_name", gold["department_name"], document.get("department_name")),
                                ("fiscal_year", gold["fiscal_year"], document.get("fiscal_year")),
                                ("scope", gold["scope"], document.get("scope")),
                                ("region", gold["region"], region),
                                ("status", "ok", document.get("status"))):
            if want != got:
                score.metadata_misses[name] = (want, got)
    if overview is not None:
        for name in HEADLINES:
            want = gold["headline"].get(name)
            got = overview.get(name)
            got = None if got is None else str(Decimal(str(got)).quantize(Decimal("0.01")))
            if want != got:
                score.headline_misses[name] = (want, got)
    if projects:
        want_p = Counter((p["project_name"], p["amount_yuan"]) for p in gold["projects"])
        got_p = Counter((p["project_name"], str(Decimal(str(p["amount_yuan"])).quantize(Decimal("0.01"))))
                        for p in projects)
        if want_p != got_p:
            score.project_misses = [("missing", k) for k in (want_p - got_p)] + [("extra", k) for k in (got_p - want_p)]
    if findings is not None:
        if gold["errors"] and not findings:
            score.quality_miss = f"injected {gold['errors'][0]['kind']} not flagged"
        elif not gold["errors"] and findings:
            score.quality_miss = f"{findings} quality findings on a clean report"
    return score
