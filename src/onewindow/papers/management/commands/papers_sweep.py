"""``manage.py papers_sweep [--delete] [--hours N]``: the files under ``MEDIA_ROOT/papers/`` that
no ``Paper`` row names — left when a transaction rolled back after a paper's files were written
(a caller's outer transaction, a crashed process, a demo reset) — listed, or deleted with
``--delete``. Only files older than ``--hours`` (default 1) are touched, so an upload still
being recorded is never swept. The files are encrypted; the sweep reads none of them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from onewindow.papers.models import Paper
from onewindow.papers.services import STORAGE_FOLDER


def unnamed_files(*, older_than_seconds: float) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    folder = root / STORAGE_FOLDER
    if not folder.exists():
        return []
    named = set(Paper.objects.values_list("file_name", flat=True))
    named.update(n for n in Paper.objects.values_list("thumbnail_name", flat=True) if n)
    cutoff = time.time() - older_than_seconds
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.relative_to(root).as_posix() not in named
        and path.stat().st_mtime < cutoff
    )


class Command(BaseCommand):
    help = "List (or delete with --delete) paper files that no paper row names."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--delete", action="store_true", help="delete them")
        parser.add_argument("--hours", type=float, default=1.0, help="only files older than this")

    def handle(self, *args: Any, **options: Any) -> None:
        found = unnamed_files(older_than_seconds=options["hours"] * 3600)
        for path in found:
            if options["delete"]:
                path.unlink(missing_ok=True)
            self.stdout.write(str(path))
        verb = "deleted" if options["delete"] else "found"
        self.stdout.write(f"{len(found)} unnamed paper file(s) {verb}")
