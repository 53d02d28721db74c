"""The static HTML report (dagster_project/report) of the sample warehouse and of the real Jiangsu
PDFs, opened in headless Chromium from file://: no console or page error, every chart drawn by
the report's own plotly.min.js, the samples' figures on the pages, every link resolving to a file
and anchor of the report, and names from a hostile document shown as text, never run.

Screenshots of each page type go to build/test-artifacts/report/ for a person to look at."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from dagster_project.report import build_report

from tests.conftest import RAW, REPO
from tests.published_sample import published_jiangsu, published_sample

ARTIFACTS = REPO / "build" / "test-artifacts" / "report"

DONGCHANGFU = "聊城市东昌府区医疗保障局机关"
XINGLONG = "兴隆县医疗保障局本级"


@pytest.fixture(scope="module")
def sample_warehouse() -> Path:
    """The five samples loaded by the real pipeline (extraction, dbt, publish), shared with the
    other tests that only read the published file (one load per pytest process)."""
    path = published_sample()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_budget_overview").fetchone()[0] == 5
    return path


@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report"
    summary = build_report(sample_warehouse, out)
    return out, summary


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium through Playwright; the test fails (never skips) without it."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("chromium is not installed (no `chromium` on PATH): the report's pages cannot be checked "
                    "in a browser; install it (apt-get install chromium) and run again")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def _overview_row(path: Path, department: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute("select * from marts.mart_budget_overview where department_name = ?", [department])
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))


def _open(browser, page_path: Path, screenshot: str | None = None) -> tuple[str, int, list[str]]:
    """Open a page from file://, wait for its charts, and return (visible text, charts drawn,
    console and page errors). A chart counts as drawn when plotly put its svg in the chart's div."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog opened: {d.message}"), d.dismiss()))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    n_charts = page.locator("div.chart").count()
    if n_charts:
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.chart')].every(d => d.querySelector('svg.main-svg'))",
            timeout=20_000)
    drawn = page.evaluate("""() => [...document.querySelectorAll('div.chart')]
        .filter(d => d.querySelector('svg.main-svg') && d.querySelectorAll('g.trace.bars path, g.point path').length > 0)
        .length""")
    assert drawn == n_charts, f"{page_path.name}: {drawn} of {n_charts} charts drawn"
    text = page.inner_text("body")
    if screenshot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    page.close()
    return text, n_charts, errors


class _Links(HTMLParser):
    """Every href/src of a page and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) and (tag != "link" or key == "href"):
                self.refs.append(a[key])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _broken_links(report: Path) -> list[str]:
    """Links of every page that do not resolve to a file of the report (and to an element with
    the fragment's id in it); links off the report (http, other folders) are broken too: it must
    work offline from its folder alone."""
    parsed = {p.name: _parse(p) for p in report.glob("*.html")}
    broken = []
    for name, links in parsed.items():
        for ref in links.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or "/" in parts.path:
                broken.append(f"{name}: {ref} leaves the report folder")
                continue
            target = unquote(parts.path) or name
            if not (report / target).is_file():
                broken.append(f"{name}: {ref} (no file {target})")
            elif parts.fragment and parts.fragment not in parsed.get(target, _Links()).ids:
                broken.append(f"{name}: {ref} (no id {parts.fragment} in {target})")
    return broken


def test_report_files_and_summary(sample_report):
    out, summary = sample_report
    names = sorted(p.name for p in out.iterdir())
    disclosure_pages = [n for n in names if n.startswith("disclosure-")]
    assert (summary.pages, summary.disclosures, len(disclosure_pages)) == (7, 5, 5)
    # plotly.min.js once, in the folder; no page embeds or fetches it from elsewhere
    assert names.count("plotly.min.js") == 1 and (out / "plotly.min.js").stat().st_size > 1_000_000
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<script src="plotly.min.js"></script>' in html
        assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html, page.name
    # no half-built folders left beside it
    assert [p.name for p in out.parent.iterdir()] == ["report"]
    assert _broken_links(out) == []


def test_failed_build_keeps_the_previous_report(sample_report, tmp_path):
    """A build that fails (here: the file is not a DuckDB warehouse) leaves the report that was
    there untouched and no temporary folder behind."""
    out = tmp_path / "report"
    shutil.copytree(sample_report[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "budget.duckdb"
    broken.write_bytes(b"not a database")
    with pytest.raises(Exception):
        build_report(broken, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.duckdb", "report"]


def test_overview_page(sample_report, sample_warehouse, chromium):
    out, _ = sample_report
    text, n_charts, errors = _open(chromium, out / "index.html", "index.png")
    assert errors == []
    assert n_charts == 1
    for department in ("丹凤县医疗保障局", "漳州市医疗保障局(汇总)", "汾阳市医疗保障局", XINGLONG, DONGCHANGFU):
        assert department in text
    # headline figures of the seeds README, formatted from Decimal with separators
    for amount in ("4,464,272.00", "165,061,900.00", "18,677,700.00", "65,963,600.00", "163,904,100.00",
                   "155,799,500.00", "195,000.00"):
        assert amount in text, amount
    # findings: 东昌府's narrative slip (warn: 15,579.50 万元 for 15,579.95), 兴隆's 208 = Σ 款 (fail)
    n_dcf = _overview_row(sample_warehouse, DONGCHANGFU)["n_quality_findings"]
    assert n_dcf >= 1 and _overview_row(sample_warehouse, XINGLONG)["n_quality_findings"] == 1
    assert f"轻微 {n_dcf}" in text and "不符 1" in text


def test_disclosure_pages(sample_report, chromium):
    out, _ = sample_report
    pages = {p.read_text(encoding="utf-8").split("<h1>")[1].split("</h1>")[0]: p
             for p in out.glob("disclosure-*.html")}
    dcf = next(p for title, p in pages.items() if DONGCHANGFU in title)
    text, n_charts, errors = _open(chromium, dcf, "disclosure.png")
    assert errors == []
    assert n_charts == 3  # revenue by source, function 类, 三公 by year
    # 三公 of both years the table prints, every value_year a column
    assert "2023 年（元）" in text and "2024 年（元）" in text
    # function classification at 类 level with basic/project split: 210 卫生健康支出
    assert "卫生健康支出" in text and "138,413,200.00" in text and "132,299,500.00" in text
    # basic/project split with Decimal shares: 8,104,600 / 163,904,100 = 4.9 %
    assert "8,104,600.00" in text and "4.9%" in text and "95.1%" in text
    # 万元 with two decimals, computed in Decimal: 163,904,100 元 = 16,390.41 万元
    assert "16,390.41" in text
    # the narrative slip (15,579.50 万元 vs the table's 15,579.95), linked to its narrative line
    # (the sentence is the warehouse's finding_zh where it has one, else composed by the report)
    assert "155,795,000" in text and "155,799,500" in text
    links = _parse(dcf)
    assert "src-f376ee5194770e48128297d019711d14166e6d1717e3d3f0de7d81bf2428c0b7-text104" in links.ids
    assert "#src-f376ee5194770e48128297d019711d14166e6d1717e3d3f0de7d81bf2428c0b7-text104" in links.refs

    xl = next(p for title, p in pages.items() if XINGLONG in title)
    text, n_charts, errors = _open(chromium, xl, "disclosure-with-failure.png")
    assert errors == []
    assert n_charts == 3
    # the 208 failure: printed 488,400 where its 款 add up to 538,400; linked to table t002, whose
    # anchor lists the lines the facts were read from
    assert "488,400" in text and "538,400" in text and "50,000" in text
    links = _parse(xl)
    assert "#src-cc5d04de2dbd5373-t002" in links.refs and "src-cc5d04de2dbd5373-t002" in links.ids
    assert any(i.startswith("src-cc5d04de2dbd5373-t002-L") for i in links.ids)
    # and to the printed line of code 208 itself (its total row)
    line_208 = next(r for r in links.refs if r.startswith("#src-cc5d04de2dbd5373-t002-L"))
    assert line_208 == "#src-cc5d04de2dbd5373-t002-L702" and "第 702 行（208）" in text

    zz = next(p for title, p in pages.items() if "漳州" in title)
    text, _, errors = _open(chromium, zz)
    assert errors == []
    # revenue by leaf fund source: 一般公共预算 + 上年结转 = the revenue total, no double count
    assert "159,541,900.00" in text and "5,520,000.00" in text and "165,061,900.00" in text
    assert "合计（全部资金）" not in text.split("收入（按资金来源）")[1].split("基本支出与项目支出")[0]


def test_quality_page(sample_report, chromium):
    out, _ = sample_report
    text, n_charts, errors = _open(chromium, out / "quality.html", "quality.png")
    assert errors == []
    assert n_charts == 1
    assert "parent code = Σ child codes" in text and "narrative project_amount = tables" in text
    assert XINGLONG in text and DONGCHANGFU in text
    refs = _parse(out / "quality.html").refs
    assert any(r.startswith("disclosure-2021-") and r.endswith("#src-cc5d04de2dbd5373-t002") for r in refs)


def test_dagster_asset_writes_the_report_beside_the_warehouse(sample_warehouse, tmp_path):
    """`budget_report` renders the published file into `report/` beside it, and says so."""
    import dagster as dg

    from dagster_project.defs.report import budget_report
    from dagster_project.defs.resources import BudgetPaths

    published = tmp_path / "wh" / "budget.duckdb"
    published.parent.mkdir()
    shutil.copy(sample_warehouse, published)
    result = dg.materialize([budget_report], resources={
        "paths": BudgetPaths(raw_dir=str(RAW), warehouse=str(published))})
    assert result.success
    metadata = result.asset_materializations_for_node("budget_report")[0].metadata
    assert (metadata["pages"].value, metadata["disclosures"].value) == (7, 5)
    assert (published.parent / "report" / "index.html").is_file()
    assert budget_report.dependency_keys == {dg.AssetKey("published_warehouse")}


def test_hostile_names_are_text(sample_warehouse, tmp_path, chromium):
    """A department name that is markup shows as text in tables and charts and runs nothing."""
    hostile = '<img src=x onerror=alert(1)></script><script>alert(2)</script>&amp;'
    copy = tmp_path / "budget.duckdb"
    with duckdb.connect(str(copy)) as con:
        con.execute(f"attach '{sample_warehouse}' as src (read_only)")
        con.execute("create schema marts")
        for (table,) in con.execute("select table_name from information_schema.tables "
                                    "where table_catalog = 'src' and table_schema = 'marts'").fetchall():
            con.execute(f'create table marts."{table}" as select * from src.marts."{table}"')
        for table in ("mart_budget_overview", "dim_disclosure"):
            con.execute(f"update marts.{table} set department_name = ? where department_name = ?",
                        [hostile, DONGCHANGFU])
    out = tmp_path / "report"
    build_report(copy, out)
    for page in ("index.html", "quality.html"):
        text, _, errors = _open(chromium, out / page)
        assert errors == [], page
        assert hostile in text, page


def test_realpdf_report(tmp_path, chromium):
    """The twelve Jiangsu PDFs (six disclosures) render with no error and every chart drawn."""
    warehouse = published_jiangsu()
    out = tmp_path / "report"
    summary = build_report(warehouse, out)
    assert (summary.disclosures, summary.pages) == (6, 8)
    assert _broken_links(out) == []
    text, _, errors = _open(chromium, out / "index.html", "realpdf-index.png")
    assert errors == []
    assert "江苏省" in text
    for page in sorted(out.glob("disclosure-*.html")):
        _, n_charts, errors = _open(chromium, page)
        assert errors == [], page.name
        assert n_charts >= 2, page.name
    _, _, errors = _open(chromium, out / "quality.html")
    assert errors == []


def test_a_report_that_cannot_be_written_does_not_fail_the_load(tmp_path, monkeypatch, capsys):
    """The report is rendered after the warehouse is published: when writing it fails (here the
    disk fills up, BUDGETWH_FAIL_AT=report_write) the load still succeeds, publishes, and says
    the report was not refreshed; the next load writes it."""
    from dagster_project.cli import main

    published = tmp_path / "wh" / "budget.duckdb"
    monkeypatch.setenv("BUDGETWH_FAIL_AT", "report_write")
    assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(published)]) == 0
    out = capsys.readouterr().out
    assert "the HTML report was not refreshed" in out and "No space left on device" in out
    assert published.is_file() and not (published.parent / "report").exists()
    monkeypatch.delenv("BUDGETWH_FAIL_AT")
    assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(published), "--force"]) == 0
    assert (published.parent / "report" / "index.html").is_file()
