import pytest

from onewindow.cases.tests.conftest import city  # noqa: F401
from onewindow.notify.backends import MemoryBackend


@pytest.fixture(autouse=True)
def _sms(settings):
    """Messages go to the in-memory gateway, rendered in English (the msgids), so the exact
    texts do not depend on the translation catalogue."""
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()
