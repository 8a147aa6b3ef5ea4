"""Tests for scoring/engine/__init__.py: the public API every caller imports. (The order of its
modules, each importing only those below it, is an import-linter contract in pyproject.toml.)"""

from scoring import engine


def test_the_package_exports_its_public_api() -> None:
    assert [name for name in engine.__all__ if not hasattr(engine, name)] == []
    assert (
        engine.compute(engine.Features(), engine.validate_parameters(engine.DEFAULT_PARAMETERS)).score == 600
    )
