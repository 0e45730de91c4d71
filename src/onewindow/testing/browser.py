"""Real-browser test fixtures: Debian's Chromium driven by Playwright's sync API.

The repository's root ``conftest.py`` registers this module as a pytest plugin, so every test
can ask for ``browser`` and ``phone_page``; mark the tests ``@pytest.mark.browser``. Combine
``phone_page`` with pytest-django's ``live_server`` (which gives the test a transactional
database the server thread can see).

The browser is never downloaded: Playwright launches the system Chromium (``/usr/bin/chromium``
from Debian, installed by ``scripts/bootstrap.sh --test``), or the one named by the
``CHROMIUM_PATH`` environment variable. It runs headless with networking extras switched off,
so a test only ever talks to the live server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_DEFAULT_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or CHROMIUM_DEFAULT_PATH


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole test session.

    Playwright's sync API keeps an asyncio loop running in the main thread while it is
    started, and Django refuses database calls from a thread with a running loop. Test code
    and fixtures here run strictly sequentially, so allowing them is safe; this is the pattern
    Django documents for such environments. The setting is restored when the browser closes.
    """
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not Path(path).is_file():
        raise RuntimeError(
            f"Chromium not found at {path}: run scripts/bootstrap.sh --test or set CHROMIUM_PATH."
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own context, sized and behaving like a common phone (390×844)."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
