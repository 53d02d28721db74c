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


def _cents(amount: object) -> str | None:
    """A staged amount as the gold prints it ('1234.50'); a form may state no money (None)."""
    return None if amount is None else str(Decimal(str(amount)).quantize(Decimal("0.01")))


def score_document(gold: Mapping, items: Iterable[Mapping], document: Mapping | None = None,
                   overview: Mapping | None = None, projects: Iterable[Mapping] | None = None,
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
    if projects is not None:
        # 项目支出表 rows against the gold's projects, and the project of each 绩效目标表 form
        # against its form projects (a gold file written before forms were projects has none)
        for want_key, from_forms in (("projects", False), ("form_projects", True)):
            if want_key not in gold:
                continue
            want_p = Counter((p["project_name"], p["amount_yuan"]) for p in gold[want_key])
            got_p = Counter((p["project_name"], _cents(p["amount_yuan"])) for p in projects
                            if (p.get("table_kind") == "performance_target") == from_forms)
            score.project_misses += [("missing", k) for k in (want_p - got_p)] + [("extra", k) for k in (got_p - want_p)]
    if findings is not None:
        if gold["errors"] and not findings:
            score.quality_miss = f"injected {gold['errors'][0]['kind']} not flagged"
        elif not gold["errors"] and findings:
            score.quality_miss = f"{findings} quality findings on a clean report"
    return score


@dataclass
class CorpusScore:
    documents: list[DocumentScore]

    @property
    def n(self) -> int:
        return len(self.documents)

    @property
    def exact(self) -> int:
        return sum(d.exact for d in self.documents)

    @property
    def gold_items(self) -> int:
        return sum(d.gold_items for d in self.documents)

    @property
    def items_matched(self) -> int:
        return self.gold_items - sum(sum(d.missing.values()) for d in self.documents)

    @property
    def extra_items(self) -> int:
        return sum(sum(d.extra.values()) for d in self.documents)

    def count(self, attribute: str) -> int:
        return sum(1 for d in self.documents if getattr(d, attribute))

    def summary(self) -> dict:
        return {
            "documents": self.n, "documents_exact": self.exact,
            "gold_line_items": self.gold_items, "line_items_matched": self.items_matched,
            "line_items_extra": self.extra_items,
            "documents_with_headline_miss": self.count("headline_misses"),
            "documents_with_project_miss": self.count("project_misses"),
            "documents_with_metadata_miss": self.count("metadata_misses"),
            "documents_with_quality_miss": self.count("quality_miss"),
        }

    def failures(self, limit: int = 20) -> list[str]:
        out = []
        for d in self.documents:
            if d.exact:
                continue
            parts = []
            if d.missing or d.extra:
                parts.append(f"line items: {sum(d.missing.values())} missing, {sum(d.extra.values())} extra "
                             f"(e.g. {next(iter(d.missing or d.extra))})")
            for name, (want, got) in {**d.headline_misses, **d.metadata_misses}.items():
                parts.append(f"{name}: gold {want}, got {got}")
            if d.project_misses:
                parts.append(f"projects: {d.project_misses[:2]}")
            if d.quality_miss:
                parts.append(d.quality_miss)
            out.append(f"{d.file}: " + "; ".join(parts))
            if len(out) >= limit:
                break
        return out


def score_corpus(gold_dir, warehouse) -> CorpusScore:
    """Every gold file of a generated corpus against the staging area and the published
    warehouse of a load of that corpus (staging beside the warehouse file)."""
    import json
    from pathlib import Path

    import duckdb
    import polars as pl

    from dagster_project.staging.store import StagingStore
    from dagster_project.warehouse.paths import WarehousePaths

    paths = WarehousePaths(Path(warehouse))
    store = StagingStore(paths.staging)
    documents = store.read("documents")
    by_path = {row["source_path"]: row for row in documents.iter_rows(named=True)}
    with duckdb.connect(str(paths.published), read_only=True) as con:
        overview = {r[0]: dict(zip([c[0] for c in con.description], r)) for r in
                    con.execute("select * from marts.mart_budget_overview").fetchall()}
    scores = []
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        if gold_path.name.startswith("_"):
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = by_path.get(gold["file"])
        if doc is None:
            scores.append(DocumentScore(gold["file"], len(gold["line_items"]),
                                        missing=Counter(item_key(i) for i in gold["line_items"]),
                                        metadata_misses={"staged": (True, False)}))
            continue
        doc_id = doc["doc_id"]

        def rows(entity: str) -> list[dict]:
            path = store.path(entity, doc_id)
            return pl.read_parquet(path).to_dicts() if path.exists() else []

        mart = overview.get(doc["disclosure_id"])
        scores.append(score_document(
            gold, rows("line_items"), doc, mart, rows("projects"),
            None if mart is None else mart["n_quality_findings"],
        ))
    return CorpusScore(scores)
