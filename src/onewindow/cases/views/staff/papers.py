"""A case's electronic papers on its page: the window uploads a scan per checklist entry; the
centre and every department with a step on the case open each paper (and its thumbnail) by an
authorised address that nothing else serves.

The file's answer: the type the content was sniffed as (``nosniff``), ``inline`` with a safe
file name, never stored (``no-store``), framed by this site only (the case page's viewer), and
a CSP of its own: ``default-src 'none'`` so that nothing in a file can load anything; images
also ``sandbox``. A PDF is not sandboxed: Chromium's PDF viewer refuses to show a sandboxed
document, and a PDF cannot run script in the site's origin in it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases.models import CasePaper
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.services.papers import (
    case_paper_add,
    case_paper_keep_for_applicant,
    case_paper_open,
    case_paper_remove,
    case_paper_reuse,
)
from onewindow.cases.views.staff.common import shown, staff_page
from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed
from onewindow.core.validation import record_id
from onewindow.papers.errors import PAPER_REFUSED
from onewindow.papers.models import PersonPaper

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
NO_FILE = _("Choose the scanned file first.")


def _file_response(link: CasePaper, data: bytes, *, thumbnail: bool) -> HttpResponse:
    paper = link.paper
    content_type = paper.thumbnail_type if thumbnail else paper.content_type
    response = HttpResponse(data, content_type=content_type)
    name = paper.original_name or f"paper-{paper.pk}"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    policy = FILE_CSP if not paper.is_image and not thumbnail else f"{FILE_CSP}; sandbox"
    response["Content-Security-Policy"] = policy
    return response


@staff_page
@require_GET
@xframe_options_sameorigin
def case_paper_file(request: HttpRequest, number: str, paper_id: int) -> HttpResponse:
    link, data = case_paper_open(number=number, paper_id=paper_id, user=request.user)
    return _file_response(link, data, thumbnail=False)


@staff_page
@require_GET
def case_paper_thumbnail(request: HttpRequest, number: str, paper_id: int) -> HttpResponse:
    link, data = case_paper_open(
        number=number, paper_id=paper_id, user=request.user, thumbnail=True
    )
    return _file_response(link, data, thumbnail=True)


@staff_page
@require_POST
def case_paper_upload(request: HttpRequest, number: str) -> HttpResponse:
    """One scan for one checklist entry; back to the case page's papers, or the page again
    with the reason in Chinese and English (nothing kept)."""
    from onewindow.cases.views.staff.backoffice import case_page_with_error

    case = case_get_for_user(number=number, user=request.user)
    upload = request.FILES.get("file")
    material_id = record_id(request.POST.get("material", ""))
    try:
        if upload is None:
            raise ValidationFailed(
                PAPER_REFUSED, [FieldError(field="file", code="required", message=NO_FILE)]
            )
        case_paper_add(
            case=case,
            upload=upload,
            name=upload.name or "",
            actor=request.user,
            material_id=material_id,
        )
    except ApplicationError as exc:
        return case_page_with_error(
            request, case, error=shown(exc), where="paper-upload", status=exc.status
        )
    messages.success(request, _("Paper kept: %(name)s") % {"name": upload.name})
    return redirect(reverse("cases_staff:case_detail", args=[case.number]) + "#e-papers")


def _consent(request: HttpRequest) -> bool:
    return request.POST.get("consent") == "yes"


def _back_to_papers(number: str) -> HttpResponse:
    return redirect(reverse("cases_staff:case_detail", args=[number]) + "#e-papers")


@staff_page
@require_POST
def case_paper_keep(request: HttpRequest, number: str, paper_id: int) -> HttpResponse:
    """Keep one of the case's papers in the applicant's "my papers", if they agree."""
    from onewindow.cases.views.staff.backoffice import case_page_with_error

    case = case_get_for_user(number=number, user=request.user)
    link = (
        CasePaper.objects.select_related("case", "paper", "material")
        .filter(pk=paper_id, case=case, removed_at__isnull=True)
        .first()
    )
    if link is None:
        raise Http404
    try:
        case_paper_keep_for_applicant(link=link, consent=_consent(request), actor=request.user)
    except ApplicationError as exc:
        return case_page_with_error(
            request, case, error=shown(exc), where="paper-keep", status=exc.status
        )
    messages.success(request, _("Kept in the applicant's papers, with their consent."))
    return _back_to_papers(case.number)


@staff_page
@require_POST
def case_paper_remove_view(request: HttpRequest, number: str, paper_id: int) -> HttpResponse:
    """Set a wrong scan aside, with the reason; back to the papers, or the page again with the
    reason it was refused (nothing changed)."""
    from onewindow.cases.views.staff.backoffice import case_page_with_error

    case = case_get_for_user(number=number, user=request.user)
    try:
        link = case_paper_remove(
            case=case,
            paper_id=paper_id,
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ApplicationError as exc:
        return case_page_with_error(
            request, case, error=shown(exc), where="paper-remove", status=exc.status
        )
    messages.success(request, _("Paper set aside: %(name)s") % {"name": link.paper.original_name})
    return _back_to_papers(case.number)


@staff_page
@require_POST
def case_paper_reuse_view(request: HttpRequest, number: str) -> HttpResponse:
    """Use a paper the applicant kept before for this case, if they agree."""
    from onewindow.cases.views.staff.backoffice import case_page_with_error

    case = case_get_for_user(number=number, user=request.user)
    kept_id = record_id(request.POST.get("kept", ""))
    kept = (
        PersonPaper.objects.select_related("paper").filter(pk=kept_id).first()
        if kept_id is not None
        else None
    )
    if kept is None:
        raise Http404
    material_id = record_id(request.POST.get("material", ""))
    try:
        case_paper_reuse(
            case=case,
            kept=kept,
            consent=_consent(request),
            actor=request.user,
            material_id=material_id,
        )
    except ApplicationError as exc:
        return case_page_with_error(
            request, case, error=shown(exc), where="paper-reuse", status=exc.status
        )
    messages.success(request, _("The applicant's paper is used for this case, with their consent."))
    return _back_to_papers(case.number)
