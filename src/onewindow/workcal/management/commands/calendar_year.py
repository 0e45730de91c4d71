"""Load a year's official holidays and make-up working days from a file:
``manage.py calendar_year 2027 holidays-2027.csv --user manager``.

The file has one ``date,working,reason`` line per day (see ``workcal/README.md``). It is checked
whole first; any bad line rejects the whole file, with every bad line listed by number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.workcal.calendar import official_calendar_covers
from onewindow.workcal.services import calendar_file_parse, calendar_year_apply


class Command(BaseCommand):
    help = (
        "Load one year's official holidays and make-up working days (date,working,reason per "
        "line) as calendar overrides, all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="the year the file describes, e.g. 2027")
        parser.add_argument("file", help="a UTF-8 text/CSV file: date,working(0/1),reason")
        parser.add_argument(
            "--user",
            required=True,
            help="username of the centre manager or administrator responsible (audit log)",
        )
        parser.add_argument(
            "--check-only", action="store_true", help="only check the file, write nothing"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="also remove overrides of that year that the file does not list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(_("The file is not UTF-8 text.")) from exc
        try:
            lines = calendar_file_parse(text=text, year=year)
        except ValidationFailed as exc:
            for error in exc.errors:
                self.stdout.write(
                    _("line %(line)s: %(error)s") % {"line": error.row, "error": error}
                )
            raise CommandError(str(exc)) from exc
        if options["check_only"]:
            self.stdout.write(_("The file is correct (%(count)s days).") % {"count": len(lines)})
            return
        try:
            counts = calendar_year_apply(
                year=year,
                lines=lines,
                actor=actor,
                replace=options["replace"],
                source=path.name,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("%(set)s days set, %(removed)s removed for %(year)s.")
            % {"set": counts["set"], "removed": counts["removed"], "year": year}
        )
        if not official_calendar_covers(year):
            self.stdout.write(
                _(
                    "The bundled official calendar does not cover %(year)s: weekdays not listed "
                    "in the file count as working days, weekends as days off."
                )
                % {"year": year}
            )
