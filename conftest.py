# The real-browser fixtures (``browser``, ``phone_page``) are registered once for the whole
# suite: a session-scoped Playwright instance must exist only once per test run.
pytest_plugins = ["onewindow.testing.browser"]
