"""The PDF documents of a case: the receipt and the notice.

Both name the applicant (name, masked document number) and carry the query code — masked for a
reader who does not hand papers to the applicant (``selectors.may_see_query_code``). Every
download is an audited read (``cases.document_read``: who, the case, the purpose ``receipt`` or
``notice``, the masked document), written only when a document was produced."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from onewindow.cases.models import Case
from onewindow.cases.receipts import case_notice_pdf, case_receipt_pdf
from onewindow.cases.selectors import case_get_for_user, may_see_query_code
from onewindow.cases.views.staff.common import staff_page
from onewindow.core.audit import audit_record

DOCUMENT_READ = "cases.document_read"


def _pdf(
    request: HttpRequest, number: str, build: Callable[..., bytes], suffix: str
) -> HttpResponse:
    case: Case = case_get_for_user(number=number, user=request.user)
    data = build(case=case, with_query_code=may_see_query_code(request.user, case))
    applicant = case.organisation.uscc if case.organisation else ""
    if case.person is not None:
        applicant = case.person.id_number_masked
    audit_record(
        actor=request.user,
        action=DOCUMENT_READ,
        obj=case,
        object_repr=case.number,
        detail={
            "purpose": suffix,
            "case_number": case.number,
            "applicant_type": case.applicant_type,
            "applicant_document_masked": applicant,
        },
    )
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
