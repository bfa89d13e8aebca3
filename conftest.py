"""Test-wide settings: SMS go to a file in a temporary folder, published files too."""

from __future__ import annotations

import os

import pytest

# Playwright's synchronous API runs an event loop in the test thread; the ORM
# calls the tests make beside it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _isolated_outputs(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SUNSHINE_SMS_BACKEND = "file"
    settings.SUNSHINE_SMS_FILE = tmp_path / "sms.jsonl"
    settings.SUNSHINE_PUBLISH_DIR = tmp_path / "published"


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: figures one test counted never leak into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


CHROMIUM = "/usr/bin/chromium"
# Flags for a sandbox without a network: no background fetches, no first-run work.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """A real Chromium (Debian's package) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    """A page 360 px wide, as on a small phone, pointed at the live test server."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()
