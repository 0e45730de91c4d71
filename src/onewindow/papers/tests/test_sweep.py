"""Files no paper row names (a rolled-back outer transaction) are swept; named files and fresh
ones are not."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from onewindow.papers.models import Paper, PaperSource
from onewindow.papers.samples import sample_png
from onewindow.papers.services import paper_stored

pytestmark = pytest.mark.django_db


def files() -> list[Path]:
    return sorted(p for p in (Path(settings.MEDIA_ROOT) / "papers").rglob("*") if p.is_file())


def store(name: str) -> None:
    with paper_stored(
        upload=SimpleUploadedFile(name, sample_png()),
        name=name,
        source=PaperSource.DEMO,
        actor=None,
    ):
        pass


def test_files_left_by_an_outer_rollback_are_swept_and_kept_ones_stay():
    store("kept.png")
    kept = set(files())
    with pytest.raises(RuntimeError), transaction.atomic():
        store("lost.png")  # written and recorded, then the outer transaction rolls back
        raise RuntimeError("the caller failed after the paper was stored")
    assert Paper.objects.count() == 1
    orphans = sorted(set(files()) - kept)
    assert len(orphans) == 2  # the image and its thumbnail
    fresh = io.StringIO()
    call_command("papers_sweep", "--delete", stdout=fresh)
    assert fresh.getvalue().endswith("0 unnamed paper file(s) deleted\n")  # too fresh
    # Files from long ago (a fixed date, not the clock): past any sweep age.
    old = 1_577_836_800  # 2020-01-01 00:00 UTC
    for path in orphans:
        os.utime(path, (old, old))
    out = io.StringIO()
    call_command("papers_sweep", "--delete", stdout=out)
    assert out.getvalue().splitlines() == [
        *(str(p) for p in orphans),
        "2 unnamed paper file(s) deleted",
    ]
    assert set(files()) == kept
