"""Background work of the catalogue."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import CatalogImportJob, ImportStatus
from onewindow.catalog.transitions import IMPORT_JOB_MACHINE
from onewindow.core.errors import ApplicationError, FieldError
from onewindow.core.tasks import periodic, task
from onewindow.workflow import mover

logger = logging.getLogger(__name__)


def _job_move(job_id: int, action: str, **values: Any) -> None:
    """Move the job through the workflow mover, in a short transaction of its own."""
    with transaction.atomic():
        job = mover.lock(IMPORT_JOB_MACHINE, CatalogImportJob(pk=job_id))
        if IMPORT_JOB_MACHINE.is_terminal(job.status):
            # Another run of the same job (a redelivered task) finished it first.
            logger.warning("catalogue import job %s was finished by another run", job_id)
            return
        for name, value in values.items():
            setattr(job, name, value)
        mover.move(IMPORT_JOB_MACHINE, job, action, actor=job.created_by)


def _job_update(job_id: int, **values: object) -> None:
    # Short writes of their own, outside the import transaction, so that the job page sees
    # the progress while the workbook is being checked.
    CatalogImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


@task
def catalog_import_run(*, job_id: int) -> None:
    """Check the job's workbook, then apply it in one transaction or record every error.

    Safe to run again: a job that has finished is left alone; one that was interrupted
    (pending or running) starts over, since a failed apply wrote nothing.
    """
    from onewindow.catalog.excel import catalog_import_apply, catalog_import_check

    job = CatalogImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in {ImportStatus.DONE, ImportStatus.FAILED}:
        return
    _job_move(job_id, "start", processed_rows=0, errors=[], summary={})

    def progress(processed: int, total: int) -> None:
        _job_update(job_id, processed_rows=processed, total_rows=total)

    errors: list[FieldError] = []
    summary: dict[str, int] = {}
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        plan = catalog_import_check(workbook=data, progress=progress)
        errors = list(plan.errors)
        if not errors:
            summary = catalog_import_apply(plan=plan, actor=job.created_by)
    except ApplicationError as exc:
        errors = exc.errors or [
            FieldError(field="file", code=exc.code, message=exc.message, params=exc.params)
        ]
    except Exception:  # recorded on the job for the user, and logged in full for the operator
        logger.exception("catalogue import job %s failed", job_id)
        errors = [
            FieldError(
                field="file",
                code="import_crashed",
                message=_(
                    "The import stopped on an unexpected problem; nothing "
                    "was imported. Tell the administrator."
                ),
            )
        ]
    if errors:
        _job_move(
            job_id,
            "fail",
            errors=[error.as_dict() for error in errors],
            finished_at=timezone.now(),
        )
    else:
        _job_move(job_id, "finish", summary=summary, finished_at=timezone.now())


# A job still pending this long after it was stored lost its hand-off (the broker was down when
# it was queued, or the process stopped): the sweep runs it.
STUCK_AFTER = dt.timedelta(minutes=10)
SWEEP_EVERY = dt.timedelta(minutes=5)


@periodic(every=SWEEP_EVERY)
@task
def catalog_imports_stuck_run() -> int:
    """Run every import job left pending longer than ``STUCK_AFTER``, oldest first; returns how
    many were run. Safe beside a late delivery: ``catalog_import_run`` leaves a finished job
    alone."""
    cutoff = timezone.now() - STUCK_AFTER
    stuck = list(
        CatalogImportJob.objects.filter(status=ImportStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:20]
    )
    for job_id in stuck:
        logger.warning("catalogue import job %s was still pending: run by the sweep", job_id)
        catalog_import_run(job_id=job_id)
    return len(stuck)
