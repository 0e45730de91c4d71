"""The public progress page: the look-up of ``progress.py`` as HTML, and the short link of the
case SMS (``/p/<number>``), which opens the page with the number filled in.

``progress.progress_lookup`` is shared with the JSON API (``api/public.py``): one rule, two faces.

The query code never travels in an address
------------------------------------------
The query code is the applicant's secret. An address ends up in web-server and proxy access
logs, in ``Referer`` headers and in the browser's history, so the page keeps the code out of
every address it answers or sends to:

- The form is sent by ``POST`` (CSRF-protected) to ``/progress/``; the answer is rendered
  there (200, 404 or 429, like the look-up), at an address that holds neither code nor number.
  A ``POST`` counts failures on ``progress_lookup``'s counters exactly as every look-up does.
- ``GET /progress/?number=N`` (the SMS short link ``/p/<number>`` redirects there) only fills
  the number in and counts nothing.
- The receipt's QR code carries the code in the fragment: ``/progress/?number=N#code=XXXX``.
  A browser never sends a fragment to the server; ``static/cases/progress.js`` (no inline
  script: the CSP forbids it) puts the code in the form, removes the fragment from the address
  bar (``history.replaceState``) and sends the form. Without JavaScript the citizen types the
  code, which the receipt prints beside the QR code.
- Receipts printed before this change have ``?number=N&code=XXXX`` in their QR code. Such a
  ``GET`` is still looked up — counted by the same rule, the code is in that request already and
  refusing it would only make the citizen guess — and then answered with a ``303`` to
  ``?number=N``: the address the browser ends at, keeps in its history and sends as a referrer
  holds no code. The result crosses the redirect in the session as a one-shot grant holding
  only the case number (or the error message and status); the page at ``?number=N`` pops it and
  shows the progress (``progress.progress_granted``) or the error with the look-up's status. A
  grant expires after ``GRANT_SECONDS``, belongs to that session and is shown once.

Every answer carries ``Cache-Control: no-store`` (``never_cache``). The redirects (the old
receipt's ``303``, the short link) carry ``Referrer-Policy: no-referrer``. The page itself
carries ``Referrer-Policy: same-origin``: its address holds no code any more, so no other site
gets a referrer and this site gets one — which it needs, because with ``no-referrer`` a browser
sends ``Origin: null`` with the form's POST and the CSRF check (rightly) refuses it.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.cases.models import Case
from onewindow.cases.progress import (
    CODE_MAX_LENGTH,
    NUMBER_MAX_LENGTH,
    ProgressView,
    client_address,
    progress_granted,
    progress_lookup,
)
from onewindow.cases.rating_links import rating_link
from onewindow.core.errors import ApplicationError

GRANT_SESSION_KEY = "cases.progress_grant"
GRANT_SECONDS = 5 * 60


def _no_leak(response: HttpResponse, *, policy: str = "no-referrer") -> HttpResponse:
    response["Referrer-Policy"] = policy
    return response


def _page_address(number: str) -> str:
    path = reverse("cases_public:progress")
    return f"{path}?{urlencode({'number': number})}" if number else path


def _error_text(error: ApplicationError) -> str:
    text = str(error.message)
    return text % error.params if error.params else text


def _look_up(request: HttpRequest, number: str, code: str) -> tuple[ProgressView | None, str, int]:
    try:
        view = progress_lookup(number=number, code=code, address=client_address(request))
    except ApplicationError as error:
        return None, _error_text(error), error.status
    return view, "", 200


def _granted(request: HttpRequest, number: str) -> tuple[ProgressView | None, str, int] | None:
    """The one-shot result an old receipt's address left in the session for this number."""
    grant = request.session.pop(GRANT_SESSION_KEY, None)
    if not isinstance(grant, dict) or grant.get("number") != number:
        return None
    if not isinstance(grant.get("until"), int) or grant["until"] < int(time.time()):
        return None
    if grant.get("error"):
        return None, str(grant["error"]), int(grant.get("status", 404))
    try:
        return progress_granted(number=number), "", 200
    except ApplicationError as error:
        return None, _error_text(error), error.status


def _rating_url(progress_view: ProgressView | None) -> str:
    """Where the case just shown can be rated (``rating_links``; the rating side decides:
    completed, within the period, not rated yet), or ``""``. Only after the number and the
    code matched."""
    if progress_view is None:
        return ""
    case = Case.objects.select_related("item_version").filter(number=progress_view.number).first()
    return rating_link(case=case, channel="progress") if case is not None else ""


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def progress(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("number", "")
    code = source.get("code", "")
    result: tuple[ProgressView | None, str, int] | None = None
    if request.method == "POST":
        result = _look_up(request, number, code)
    elif "code" in request.GET:
        # An old receipt's address: look it up, then answer at an address without the code.
        view, error, status = _look_up(request, number, code)
        shown = number.strip()[:NUMBER_MAX_LENGTH] if number.isprintable() else ""
        request.session[GRANT_SESSION_KEY] = {
            "number": view.number if view else shown,
            "until": int(time.time()) + GRANT_SECONDS,
            "error": error,
            "status": status,
        }
        target = _page_address(view.number if view else shown)
        return _no_leak(HttpResponseRedirect(target, status=303))
    else:
        result = _granted(request, number.strip())
    progress_view, error, status = result if result else (None, "", 200)
    context: dict[str, object] = {
        "rating_url": _rating_url(progress_view),
        "number": (progress_view.number if progress_view else number.strip()[:NUMBER_MAX_LENGTH]),
        # The code is never written back into the page: a shown page may be cached or shared.
        "code": "",
        "code_max_length": CODE_MAX_LENGTH,
        "progress": progress_view,
        "error": error or None,
        "now": timezone.now(),
    }
    page = render(request, "cases/public/progress.html", context, status=status)
    return _no_leak(page, policy="same-origin")


@require_safe
@never_cache
def short_link(request: HttpRequest, number: str) -> HttpResponse:
    """``/p/<number>``: the progress page with this number filled in. Any number gets the same
    redirect (it tells nothing about whether the case exists); the code is never in the link."""
    number = number.strip()
    if not number or len(number) > NUMBER_MAX_LENGTH or not number.isprintable():
        raise Http404
    return _no_leak(HttpResponseRedirect(_page_address(number)))
