"""Catalogue workbook jobs: start an import in the background, export for a user.

``catalog_import_start`` stores the upload and enqueues ``tasks.catalog_import_run`` after
commit; the task checks the workbook (progress visible on the job), then applies it in one
transaction or records every error. Pages and commands call these, never ``excel`` directly,
for anything that needs a permission.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.excel import catalog_export
from onewindow.catalog.models import CatalogImportJob, ServiceItem
from onewindow.catalog.tasks import catalog_import_run
from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.org.permissions import Action, require, scope_queryset

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
# Every .xlsx file is a zip archive, which starts with these bytes.
ZIP_MAGIC = b"PK\x03\x04"


def _upload_errors(uploaded_file: Any) -> list[FieldError]:
    name = getattr(uploaded_file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        return [
            FieldError(
                field="file",
                code="not_xlsx",
                message=_("Upload an Excel workbook ending in .xlsx."),
            )
        ]
    if uploaded_file.size > MAX_WORKBOOK_BYTES:
        return [
            FieldError(
                field="file",
                code="too_large",
                message=_("The file is larger than %(max)s MB."),
                params={"max": MAX_WORKBOOK_BYTES // (1024 * 1024)},
            )
        ]
    uploaded_file.seek(0)
    head = uploaded_file.read(4)
    uploaded_file.seek(0)
    if head != ZIP_MAGIC:
        return [
            FieldError(
                field="file",
                code="not_xlsx",
                message=_("The file is not an Excel workbook (.xlsx)."),
            )
        ]
    return []


def catalog_import_start(*, uploaded_file: Any, actor: Any) -> CatalogImportJob:
    """Store an uploaded workbook as a pending job and run the import after commit.

    Requires ``Action.CATALOG_IMPORT``. Raises ``ValidationFailed`` for a file that is not an
    .xlsx workbook or is larger than 20 MB; no job is created then.
    """
    require(actor, Action.CATALOG_IMPORT)
    errors = _upload_errors(uploaded_file)
    if errors:
        raise ValidationFailed(_("The file cannot be imported."), errors, code="bad_upload")
    original_name = (uploaded_file.name or "")[:255]
    with transaction.atomic():
        job = CatalogImportJob(original_name=original_name, created_by=actor)
        job.file.save("catalog.xlsx", uploaded_file, save=False)
        job.save()
        audit_record(
            actor=actor, action="catalog.import_start", obj=job, detail={"file": original_name}
        )
        catalog_import_run.enqueue(job_id=job.pk)
    return job


def catalog_export_for_user(*, user: Any) -> bytes:
    """The workbook of every item ``user`` may export (a department lead: their own)."""
    # Checked outside any transaction so that a refusal stays in the audit log.
    require(user, Action.CATALOG_EXPORT)
    items = scope_queryset(
        user, Action.CATALOG_EXPORT, ServiceItem.objects.all(), department_path="department_id"
    )
    data = catalog_export(items=items)
    audit_record(
        actor=user,
        action="catalog.export",
        object_type="catalog.workbook",
        detail={"items": items.count()},
    )
    return data


def catalog_import_jobs_recent(*, limit: int = 20) -> list[CatalogImportJob]:
    """The latest import jobs, newest first, for the upload page."""
    return list(
        CatalogImportJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]
    )
