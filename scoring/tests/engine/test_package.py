"""Tests for scoring/engine/__init__.py: the public API every caller imports, and the order of the
modules (each imports only the ones below it, so the package has no import cycle)."""

import ast
from pathlib import Path

import pytest

from scoring import engine

# Bottom first, as the package docstring lists them.
LAYERS = (
    "features",
    "parameters",
    "arithmetic",
    "scorecard",
    "validation",
    "outcome",
    "reasons",
    "score",
    "texts",
)
PACKAGE = Path(engine.__file__).parent


def _engine_imports(module: str) -> set[str]:
    """The engine modules a module imports, written relatively or absolutely."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    relative = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0
    }
    absolute = {
        name.removeprefix("scoring.engine.")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom | ast.Import)
        for name in (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        )
        if name.startswith("scoring.engine")
    }
    return relative | absolute


def test_every_engine_module_has_its_place_in_the_layers() -> None:
    assert {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"} == set(LAYERS)


@pytest.mark.parametrize("module", LAYERS)
def test_each_engine_module_imports_only_the_modules_below_it(module: str) -> None:
    assert _engine_imports(module) <= set(LAYERS[: LAYERS.index(module)])


def test_the_package_exports_its_public_api() -> None:
    assert [name for name in engine.__all__ if not hasattr(engine, name)] == []
    assert (
        engine.compute(engine.Features(), engine.validate_parameters(engine.DEFAULT_PARAMETERS)).score == 600
    )
