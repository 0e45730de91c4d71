"""Import a catalogue workbook from the command line: ``manage.py import_catalog file.xlsx``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onewindow.catalog.excel import catalog_import_apply, catalog_import_check, errors_as_text
from onewindow.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Check a catalogue workbook (.xlsx) and import it whole, or list every error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--check-only", action="store_true", help="only check the workbook, write nothing"
        )
        parser.add_argument("--user", help="username recorded as the actor in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})

        def progress(processed: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{processed}/{total}")

        plan = catalog_import_check(workbook=path.read_bytes(), progress=progress)
        if plan.errors:
            for line in errors_as_text(plan.errors):
                self.stdout.write(line)
            raise CommandError(
                _("%(count)s errors: nothing was imported.") % {"count": len(plan.errors)}
            )
        if options["check_only"]:
            self.stdout.write(
                _("The workbook is correct (%(rows)s rows).") % {"rows": plan.total_rows}
            )
            return
        try:
            summary = catalog_import_apply(plan=plan, actor=actor)
        except ValidationFailed as exc:
            for line in errors_as_text(exc.errors):
                self.stdout.write(line)
            raise CommandError(str(exc)) from exc
        self.stdout.write(" ".join(f"{key}={value}" for key, value in summary.items()))
