"""The PDF documents of a case: the receipt and the notice."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from onewindow.cases.models import Case
from onewindow.cases.receipts import case_notice_pdf, case_receipt_pdf
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.views.staff.common import staff_page


def _pdf(
    request: HttpRequest, number: str, build: Callable[..., bytes], suffix: str
) -> HttpResponse:
    case: Case = case_get_for_user(number=number, user=request.user)
    data = build(case=case)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-{suffix}.pdf"'
    return response


@staff_page
@require_GET
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, case_receipt_pdf, "receipt")


@staff_page
@require_GET
def case_notice(request: HttpRequest, number: str) -> HttpResponse:
    return _pdf(request, number, case_notice_pdf, "notice")
