"""Shared Playwright fixtures: Debian's Chromium, headless, one context per test.

The root conftest.py imports the fixtures so every app's browser tests can use them.
Screenshots land in test-artifacts/screenshots/ for the README and for review.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; without this Django refuses
# the ORM calls that tests and the live server fixture make next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def _missing_browser(reason: str) -> None:
    # In CI a missing browser is a broken pipeline, not a reason to skip quietly.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser, viewport: dict) -> Iterator[object]:
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A desktop-sized page (1280x900) in a fresh browser context."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser) -> Iterator[object]:
    """A phone-sized page (390x844) in a fresh browser context."""
    yield from _new_page(browser, PHONE)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as test-artifacts/screenshots/<name>.png and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# axe-core's rules for WCAG 2.2 A and AA plus AAA: "color-contrast-enhanced" is the 7:1 text
# contrast, "target-size" the 24 px tap targets.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag2aaa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
}


def assert_accessible(page, *, where: str = "") -> None:
    """axe-core finds no violation on the page as it stands (WCAG 2.2 AA and AAA contrast)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}): "
        + "; ".join(_node_words(node) for node in violation["nodes"][:8])
        for violation in results.response["violations"]
    ]
    assert violations == [], f"{where or page.url}:\n" + "\n".join(violations)


def _node_words(node: dict) -> str:
    """Where a violation is, and for a contrast one the colours and ratio found."""
    where = " ".join(node["target"])
    data = next(
        (check.get("data") for check in node.get("any", []) if isinstance(check.get("data"), dict)), None
    )
    if data and "contrastRatio" in data:
        return f"{where} [{data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}]"
    return where
