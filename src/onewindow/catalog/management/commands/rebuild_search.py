"""Rebuild the items' search documents, e.g. after changing the segmentation or stop words."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.catalog.models import ServiceItem
from onewindow.catalog.search import search_documents_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the search documents of all service items (or of one department's items)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--department",
            type=int,
            default=None,
            help="Only the items of the department with this id.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        items = ServiceItem.objects.all()
        if options["department"] is not None:
            items = items.filter(department_id=options["department"])
        count = search_documents_rebuild_all(items=items, batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            self.style.SUCCESS(_("Rebuilt %(count)d search documents.") % {"count": count})
        )
