"""An import job whose hand-off was lost (the broker down when it was queued) is run by the
periodic sweep, once, after ``STUCK_AFTER``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.catalog.excel import catalog_template
from onewindow.catalog.imports import catalog_import_start
from onewindow.catalog.models import CatalogImportJob, ImportStatus
from onewindow.catalog.tasks import STUCK_AFTER, catalog_imports_stuck_run
from onewindow.core.tasks import periodic_tasks
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db


def test_a_job_left_pending_is_run_by_the_sweep_once_it_is_old_enough():
    admin = staff_with_role(Role.ADMIN)
    upload = SimpleUploadedFile("catalogue.xlsx", catalog_template())
    # The test's transaction never commits, so the after-commit hand-off never happens: the
    # job stays pending, as when the broker refused it.
    job = catalog_import_start(uploaded_file=upload, actor=admin)
    assert CatalogImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING

    assert catalog_imports_stuck_run() == 0  # too young: its hand-off may still come
    assert CatalogImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING

    CatalogImportJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at - STUCK_AFTER - dt.timedelta(seconds=1)
    )
    assert catalog_imports_stuck_run() == 1
    assert CatalogImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert catalog_imports_stuck_run() == 0


def test_the_sweep_runs_every_five_minutes():
    assert periodic_tasks()["onewindow.catalog.tasks.catalog_imports_stuck_run"] == 300.0
