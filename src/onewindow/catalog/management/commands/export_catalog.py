"""Export the catalogue to a workbook: ``manage.py export_catalog file.xlsx``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.catalog.excel import catalog_export
from onewindow.catalog.models import ServiceItem


class Command(BaseCommand):
    help = "Write every catalogue item, material, fee, step and topic to an .xlsx workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        path.write_bytes(catalog_export())
        self.stdout.write(
            _("%(count)s items written to %(path)s.")
            % {"count": ServiceItem.objects.count(), "path": path}
        )
