"""The public progress page: the look-up of ``progress.py`` as HTML, and the short link of the
case SMS (``/p/<number>``), which opens the page with the number filled in.

``progress.progress_lookup`` is shared with the JSON API (``api/public.py``): one rule, two faces.
The page looks a case up only when a code is sent; the number alone (from the short link) only
fills the form and counts no failure.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
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
    if "code" in request.GET:
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


@require_safe
@never_cache
def short_link(request: HttpRequest, number: str) -> HttpResponse:
    """``/p/<number>``: the progress page with this number filled in. Any number gets the same
    redirect (it tells nothing about whether the case exists); the code is never in the link."""
    number = number.strip()
    if not number or len(number) > NUMBER_MAX_LENGTH or not number.isprintable():
        raise Http404
    target = f"{reverse('cases_public:progress')}?{urlencode({'number': number})}"
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer"
    return response
