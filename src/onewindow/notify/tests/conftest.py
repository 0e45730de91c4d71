import pytest

from onewindow.notify.backends import MemoryBackend


class FailingBackend:
    """A gateway that refuses every message."""

    def send(self, recipient: str, text: str, *, shown: str) -> str:
        raise ConnectionError("gateway unreachable")


@pytest.fixture(autouse=True)
def _gateway(settings):
    """Messages go to the in-memory gateway; the retry schedule is the default one."""
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 5
    settings.NOTIFY_RETRY_DELAYS = [60, 300, 1800, 7200]
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


@pytest.fixture
def failing_gateway(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.tests.conftest.FailingBackend"
