"""``care_mode`` and ``care_available`` on every page rendered with a request.

``care_mode``: the page is shown in care mode (``<html class="care">``, simplified blocks);
``care_available``: the page is a public one and offers the switch (``_care_switch.html``).
"""

from __future__ import annotations

from django.http import HttpRequest

from onewindow.care.mode import care_wanted, is_staff_path


def care(request: HttpRequest) -> dict[str, bool]:
    public = not is_staff_path(request)
    return {"care_mode": public and care_wanted(request), "care_available": public}
