"""Seed the knowledge base from the published catalogue and ``data/duties.toml``
(idempotent: run it again after the catalogue changed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.knowledge.services import knowledge_seed


class Command(BaseCommand):
    help = (
        "Seed the knowledge base: one answer per published catalogue item and FAQ, and the "
        "department duties; existing articles are kept (updated when their source changed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = knowledge_seed()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Knowledge base: %(created)d articles created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
        if result.skipped:
            self.stdout.write(
                _("Duties skipped (no such department): %(keys)s")
                % {"keys": ", ".join(result.skipped)}
            )
