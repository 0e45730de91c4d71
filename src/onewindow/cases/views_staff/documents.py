"""The PDF documents of a case: the receipt and the notice."""

from __future__ import annotations

import importlib

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.views_staff.common import staff_page


def _pdf(request: HttpRequest, number: str, function_name: str, suffix: str) -> HttpResponse:
    case = case_get_for_user(number=number, user=request.user)
    try:
        module = importlib.import_module("onewindow.cases.receipts")
    except ImportError as exc:
        raise Http404(_("Receipts cannot be printed yet.")) from exc
    build = getattr(module, function_name, None)
    if build is None:
        raise Http404(_("Receipts cannot be printed yet."))
    data = build(case=case)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-{suffix}.pdf"'
    return response


@staff_page
@require_GET
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, "case_receipt_pdf", "receipt")


@staff_page
@require_GET
def case_notice(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, "case_notice_pdf", "notice")
