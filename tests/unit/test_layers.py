"""The package's layers and which way they may import, read from the source itself.

A layer is the first name under `dagster_project/`: a subpackage (readers, parsing, catalogs,
staging, warehouse, defs, report, synth, scaling, text) or a top-level module (ingest, cli,
load, …). Every `import dagster_project.x` and `from dagster_project.x import y` is followed,
including imports inside functions and under `if TYPE_CHECKING:` (a deferred import is still
a dependency). The test answers without importing the package, so a cycle fails it here rather
than as an ImportError somewhere else.

The intended direction, bottom up: `text` (cell cleaning and the printed patterns every layer
shares) imports nothing of the package; readers turn bytes into cells of text and know nothing
of budgets; catalogs are the national classification lists; parsing reads budgets out of the
cells; staging writes what parsing found; warehouse builds and publishes from staging; the
orchestration (ingest, defs, load, cli, …) sits on top. Only the Dagster layer imports Dagster.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import dagster_project

PACKAGE = Path(dagster_project.__file__).resolve().parent
ROOT = "dagster_project"
LEAF = "text"

# Layers a core layer may import (besides itself): a closed list, so a new edge is a decision
# someone writes down here, not an accident.
ALLOWED: dict[str, set[str]] = {
    # Cell text and the patterns of amounts and list numbers: below everything.
    "text": set(),
    # Readers turn files into cells of text: no budget knowledge, no staging, no orchestration.
    "readers": {"text"},
    # The national function/economic classification lists and name matching.
    "catalogs": {"text"},
    # Budgets read out of the readers' cells, names matched against the catalogs.
    "parsing": {"text", "readers", "catalogs"},
}

# Layers a layer must never import: everything that runs after it or drives it.
ORCHESTRATION = {"ingest", "parallel", "freshness", "warm", "warm_preload", "load", "defs", "definitions", "cli",
                 "scaling", "dev"}
FORBIDDEN: dict[str, set[str]] = {
    # Staging writes parsing's results; building and publishing come after it.
    "staging": {"warehouse", "report", "synth"} | ORCHESTRATION,
    # The warehouse builds from staging files, never from parsing's objects or a reader.
    "warehouse": {"readers", "parsing", "report", "synth"} | ORCHESTRATION,
    # The HTML report reads the published warehouse only.
    "report": {"readers", "parsing", "staging", "synth"} | ORCHESTRATION,
    # The orchestration layer under Dagster must not import the CLI or the in-process runner
    # that drive it.
    "defs": {"cli", "load", "scaling", "synth"},
}

# Layers that may import Dagster itself (dagster, dagster_dbt, dagster_celery, …).
DAGSTER_LAYERS = {
    "defs",  # the assets, resources and jobs
    "definitions",  # the Definitions object `dagster dev` loads
    # `budgetwh run` executes the Definitions' job in-process: it is Dagster's caller, so it
    # needs an instance and the execution API (dg.materialize / execute_job).
    "load",
    # Optional Celery fan-out: a separate Dagster job definition of its own (docs/scaling.md).
    "scaling",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(module: str, path: Path, modules: set[str]) -> set[str]:
    """Every module of the package (and every outside top-level package) `module` imports."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                # `from dagster_project import catalogs` imports the subpackage, not the root.
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != ROOT:
        return None
    return parts[1] if len(parts) > 1 else ROOT


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Layer -> layers it imports (self-edges left out), and layer -> outside packages."""
    sources = _sources()
    modules = set(sources)
    layers: dict[str, set[str]] = defaultdict(set)
    outside: dict[str, set[str]] = defaultdict(set)
    for module, path in sources.items():
        layer = _layer(module)
        assert layer is not None
        layers[layer]  # every layer appears, also one that imports nothing
        for target in _imports(module, path, modules):
            target_layer = _layer(target)
            if target_layer is None:
                outside[layer].add(target.split(".")[0])
            elif target_layer != layer:
                layers[layer].add(target_layer)
    return dict(layers), dict(outside)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one layer (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return _graph()


def test_the_walk_sees_the_known_edges(graph):
    """The walker itself: edges that exist today must be found, including the
    `from dagster_project import catalogs` form and imports inside functions."""
    layers, outside = graph
    assert {"readers", "catalogs", "text"} <= layers["parsing"]
    assert "parsing" in layers["staging"]
    assert "defs" in layers["definitions"]
    assert "dagster" in outside["defs"]
    # cli imports most of its commands inside functions; a top-level-only walk would miss them
    assert {"load", "ingest", "warehouse"} <= layers["cli"]


def test_the_leaf_imports_nothing_from_the_package(graph):
    layers, _ = graph
    assert LEAF in layers, "the leaf package is missing"
    assert layers[LEAF] == set()


def test_no_cycle_between_layers(graph):
    layers, _ = graph
    assert _cycles(layers) == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_core_layers_import_only_what_is_below_them(graph, layer):
    layers, _ = graph
    assert layers.get(layer, set()) - ALLOWED[layer] == set()


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_do_not_import_what_drives_them(graph, layer):
    layers, _ = graph
    assert layers.get(layer, set()) & FORBIDDEN[layer] == set()


def test_nothing_in_the_pipeline_imports_synth(graph):
    """The synthetic-report generator is a test tool: only the CLI (its `synth` command) may
    reach it."""
    layers, _ = graph
    assert {layer for layer, targets in layers.items() if "synth" in targets} <= {"cli"}


def test_only_the_dagster_layer_imports_dagster(graph):
    _, outside = graph
    users = {layer for layer, packages in outside.items()
             if any(p == "dagster" or p.startswith("dagster_") for p in packages)}
    assert users <= DAGSTER_LAYERS
