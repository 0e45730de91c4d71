"""Response headers that keep personal data out of caches.

``NoStoreMiddleware`` marks ``Cache-Control: no-store`` on every answer that may carry personal
data, by one honest rule rather than view by view: every response for a signed-in user, and every
response under the address prefixes named in ``settings.ONEWINDOW_NO_STORE_PREFIXES`` (staff
pages, the admin, the case API, the public progress look-up), with or without a language prefix
such as ``/en/``. Public catalogue pages for anonymous visitors stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path


def _without_language_prefix(path: str) -> str:
    language = get_language_from_path(path)
    if language and path.startswith(f"/{language}/"):
        return path[len(language) + 1 :]
    return path


def carries_personal_data(request: HttpRequest) -> bool:
    """True when the answer to ``request`` must not be stored by a browser or a proxy."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    path = _without_language_prefix(request.path_info)
    for prefix in settings.ONEWINDOW_NO_STORE_PREFIXES:
        bare = prefix.rstrip("/")
        if path == bare or path.startswith(bare + "/"):
            return True
    return False


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if carries_personal_data(request):
            patch_cache_control(response, no_store=True)
        return response
