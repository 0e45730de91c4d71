import pytest


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASK_BACKEND = "sync"
    # Real hashing costs ~0.3 s per account; tests create hundreds. Login itself is still real.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts from its own calendar overrides: a rolled-back test's rows must not
    # linger in the process calendar.
    from onewindow.workcal.calendar import calendar_invalidate

    calendar_invalidate()
    # Each test starts in the site's default language: the last request of a test on /en/
    # leaves English active in the thread (LocaleMiddleware does not switch back), and a later
    # test's reverse() would build /en/ addresses.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
