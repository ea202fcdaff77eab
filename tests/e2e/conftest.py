"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never run ``playwright install``: the tests launch /usr/bin/chromium. They are skipped, with the
reason, when COMMONWEAL_SKIP_E2E=1 or when Chromium is missing outside CI; with CI=true a
missing Chromium is a failure. Screenshots go to test-artifacts/screenshots/ (gitignored).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# tests' own database calls as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
MOBILE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _skip_or_fail() -> None:
    if os.environ.get("COMMONWEAL_SKIP_E2E") == "1":
        pytest.skip("browser tests skipped: COMMONWEAL_SKIP_E2E=1")
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true needs the browser tests (apt-get install chromium)")
        pytest.skip(f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    _skip_or_fail()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserErrors(list):
    """Console errors and failed requests seen by a page (CSP violations show up here)."""


def _open(browser, options: dict):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = BrowserErrors()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"HTTP {response.status} {response.url}") if response.status >= 400 else None)
    page.errors = errors
    return context, page


@pytest.fixture
def mobile_page(browser):
    """A new visitor on a phone: 390x844, Chinese browser."""
    context, page = _open(browser, MOBILE)
    yield page
    context.close()


@pytest.fixture
def small_phone_page(browser):
    """A new visitor on a small phone: 360x740, Chinese browser."""
    context, page = _open(browser, SMALL_PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    """A new visitor on a 1280-wide desktop, Chinese browser."""
    context, page = _open(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): a full-page PNG in test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
