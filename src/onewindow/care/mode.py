"""Care mode (关怀模式): which requests get it.

The choice is one cookie, ``ow_care=1``, kept for a year and set or cleared by the switch
(``views.care_switch``). Every public page reads it through the context processor
(``context_processors.care``); staff pages (the staff shell and the admin, in any language)
never change, whatever the cookie says, and show no switch.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

COOKIE = "ow_care"
COOKIE_ON = "1"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # a year: set once, kept for the next visit


def is_staff_path(request: HttpRequest) -> bool:
    """An address of the staff shell or of the admin (the active language's prefix)."""
    for name in ("staff:home", "admin:index"):
        try:
            prefix = reverse(name)
        except NoReverseMatch:  # a URL configuration without that app (some tests)
            continue
        if request.path.startswith(prefix):
            return True
    return False


def care_wanted(request: HttpRequest) -> bool:
    """The visitor switched care mode on (the cookie), wherever they are now."""
    return request.COOKIES.get(COOKIE) == COOKIE_ON
