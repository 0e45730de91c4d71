import pytest

from onewindow.core import crypto


@pytest.fixture(autouse=True)
def data_keys(settings):
    """Fresh encryption and blind-index keys for every test, never the developer's var/keys."""
    settings.DATA_ENCRYPTION_KEYS = crypto.generate_key()
    settings.BLIND_INDEX_KEY = crypto.generate_key()
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()
