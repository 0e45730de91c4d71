"""The public progress page: the look-up of ``progress.py`` as HTML.

``progress.progress_lookup`` is shared with the JSON API (``api/public.py``): one rule, two faces.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from onewindow.cases.progress import (
    CODE_MAX_LENGTH,
    NUMBER_MAX_LENGTH,
    client_address,
    progress_lookup,
)
from onewindow.core.errors import ApplicationError


@require_safe
@never_cache
def progress(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "")
    code = request.GET.get("code", "")
    context: dict[str, object] = {
        "number": number.strip()[:NUMBER_MAX_LENGTH],
        "code": code.strip()[:CODE_MAX_LENGTH],
        "progress": None,
        "error": None,
        "now": timezone.now(),
    }
    status = 200
    if "number" in request.GET or "code" in request.GET:
        try:
            context["progress"] = progress_lookup(
                number=number, code=code, address=client_address(request)
            )
        except ApplicationError as error:
            context["error"] = error.message
            status = error.status
    response = render(request, "cases/public/progress.html", context, status=status)
    # The query code is in the address: do not let it leak to other sites.
    response["Referrer-Policy"] = "no-referrer"
    return response
