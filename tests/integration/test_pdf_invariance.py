"""Format invariance: each sample printed as PDF (ruled and unruled) reads back as the same facts.

The corpus is generated here, at test time, by `dagster_project.synth.render_pdf`: every
table of a sample as a ruled grid (camelot's lattice path) and as whitespace-aligned columns
(the unruled path), with the sample's own title, unit and year lines above the tables, its
narrative in between, wrapped cells and tables broken over pages with and without a
repeated header. Facts are compared with `synth.compare.fact_differences`: codes, measures,
funds, years and amounts of every line item, project and indicator; provenance aside.
"""

from __future__ import annotations

import pytest

from dagster_project.parsing.extract import extract_document
from dagster_project.synth.compare import fact_differences
from dagster_project.synth.render_pdf import STYLES, RenderStats, render_sample

from tests.conftest import RAW, SAMPLES


@pytest.fixture(scope="module")
def pdf_corpus(tmp_path_factory):
    """{(sample, style): (pdf path, render stats)} written to a temporary folder."""
    root = tmp_path_factory.mktemp("pdf_corpus")
    corpus = {}
    for sample in SAMPLES:
        data = (RAW / sample).read_bytes()
        for style in STYLES:
            stats = RenderStats()
            path = root / f"{sample}.{style}.pdf"
            path.write_bytes(render_sample(data, style, stats))
            corpus[sample, style] = (path, stats)
    return corpus


def _describe(differences) -> str:
    lines = []
    for kind, (missing, extra) in differences.items():
        lines += [f"{kind}: missing {n}x {fact}" for fact, n in sorted(missing.items(), key=str)[:15]]
        lines += [f"{kind}: extra {n}x {fact}" for fact, n in sorted(extra.items(), key=str)[:15]]
    return "\n".join(lines)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("sample", SAMPLES)
def test_pdf_gives_the_same_facts_as_the_text(sample, style, pdf_corpus, extractions):
    path, _ = pdf_corpus[sample, style]
    from_pdf = extract_document(path.read_bytes(), path.name)
    differences = fact_differences(extractions[sample], from_pdf)
    assert differences == {}, _describe(differences)
    assert from_pdf.document.format == "pdf"
    assert {t.layout for t in from_pdf.tables if t.layout != "index_only"} == {style}  # printed tables
    assert len(from_pdf.line_items) == len(extractions[sample].line_items) > 300


@pytest.mark.parametrize("style", STYLES)
def test_corpus_exercises_what_it_claims(style, pdf_corpus):
    """Wrapped cells, narrative between tables, and tables broken over pages both with and
    without a repeated header, in every sample."""
    for sample in SAMPLES:
        _, stats = pdf_corpus[sample, style]
        repeated = {r for _, r in stats.split_tables}
        assert repeated == {True, False}, (sample, stats.split_tables)
        assert stats.wrapped_cells > 20 and stats.paragraphs > 90 and stats.pages > 10


def test_ruled_and_unruled_renders_differ_in_drawing_only(pdf_corpus):
    """The lattice PDF draws rules, the stream PDF none; both carry the same words."""
    import pypdfium2 as pdfium

    sample = SAMPLES[0]
    counts = {}
    for style in STYLES:
        pdf = pdfium.PdfDocument(pdf_corpus[sample, style][0].read_bytes())
        counts[style] = sum(1 for page in pdf for obj in page.get_objects() if obj.type == 2)
        pdf.close()
    assert counts["lattice"] > 100 and counts["stream"] == 0
