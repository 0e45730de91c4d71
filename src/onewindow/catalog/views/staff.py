"""Staff pages to import and export the catalogue workbook.

Each view checks the permission, calls one service and renders; the import itself runs as a
background job whose page polls a progress fragment with htmx.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.catalog.excel import catalog_template
from onewindow.catalog.imports import (
    catalog_export_for_user,
    catalog_import_jobs_recent,
    catalog_import_start,
)
from onewindow.catalog.models import CatalogImportJob, ImportStatus
from onewindow.catalog.workstations import may_use_workbook
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.org.permissions import Action, can, require
from onewindow.staff.decorators import staff_page

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_LABELS = {
    "items": _("Items imported"),
    "created": _("New items"),
    "updated": _("Items replaced"),
    "published": _("Items published"),
    "new_versions": _("New versions recorded"),
    "topics_created": _("New topics"),
    "topics_updated": _("Topics updated"),
}


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_page
@require_safe
def workbook_home(request: HttpRequest) -> HttpResponse:
    """What the user may do with the catalogue workbook: export, the template, import."""
    if not may_use_workbook(request.user):
        require(request.user, Action.CATALOG_EXPORT)  # audited refusal → 403
    return render(
        request,
        "catalog/manage/index.html",
        {
            "can_import": can(request.user, Action.CATALOG_IMPORT),
            "can_export": can(request.user, Action.CATALOG_EXPORT),
        },
    )


@staff_page
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a workbook; a valid upload becomes a job and the browser goes to its page."""
    require(request.user, Action.CATALOG_IMPORT)
    errors: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        uploaded = request.FILES.get("workbook")
        try:
            if uploaded is None:
                raise ValidationFailed(
                    _("The file cannot be imported."),
                    [
                        FieldError(
                            field="workbook",
                            code="required",
                            message=_("Choose a workbook to upload."),
                        )
                    ],
                )
            job = catalog_import_start(uploaded_file=uploaded, actor=request.user)
        except ValidationFailed as exc:
            errors = [error.as_dict() for error in exc.errors]
            status = 422
        else:
            return redirect("catalog_manage:import_job", job_id=job.pk)
    return render(
        request,
        "catalog/manage/import_upload.html",
        {
            "errors": errors,
            "jobs": catalog_import_jobs_recent(limit=20),
            "can_export": can(request.user, Action.CATALOG_EXPORT),
        },
        status=status,
    )


def _job_context(job: CatalogImportJob) -> dict[str, Any]:
    return {
        "job": job,
        "finished": job.status in {ImportStatus.DONE, ImportStatus.FAILED},
        "applying": job.status == ImportStatus.RUNNING
        and job.total_rows > 0
        and job.processed_rows >= job.total_rows,
        "summary": [
            (SUMMARY_LABELS.get(key, key), value) for key, value in (job.summary or {}).items()
        ],
    }


@staff_page
@require_safe
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's page: progress while it runs, then its errors or its summary."""
    require(request.user, Action.CATALOG_IMPORT)
    job = get_object_or_404(CatalogImportJob, pk=job_id)
    return render(request, "catalog/manage/import_job.html", _job_context(job))


@staff_page
@require_safe
def import_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The fragment the job page polls every second (htmx); it stops polling when done."""
    require(request.user, Action.CATALOG_IMPORT)
    job = get_object_or_404(CatalogImportJob, pk=job_id)
    return render(request, "catalog/manage/_import_job_progress.html", _job_context(job))


@staff_page
@require_safe
def import_job_workbook(request: HttpRequest, job_id: int) -> HttpResponse:
    """The workbook uploaded for a job, for whoever may import (never served from /media/)."""
    require(request.user, Action.CATALOG_IMPORT)
    job = get_object_or_404(CatalogImportJob, pk=job_id)
    if not job.file.name or not job.file.storage.exists(job.file.name):
        raise Http404
    with job.file.open("rb") as workbook:  # bounded by the upload limit
        response = HttpResponse(workbook.read(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, job.original_name or "catalogue.xlsx"
    )
    return response


@staff_page
@require_safe
def export_download(request: HttpRequest) -> HttpResponse:
    """The catalogue the user may export, as a workbook."""
    data = catalog_export_for_user(user=request.user)
    return _xlsx_response(data, f"catalogue-{timezone.localdate():%Y%m%d}.xlsx")


@staff_page
@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    """The empty workbook with its read-me sheet, for whoever imports or exports."""
    if not can(request.user, Action.CATALOG_EXPORT):
        require(request.user, Action.CATALOG_IMPORT)
    return _xlsx_response(catalog_template(), "catalogue-template.xlsx")
