"""``manage.py demo_city``: build the demo city (Liwan district) into the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.catalog.models import ServiceItem
from onewindow.core.errors import ApplicationError, bilingual
from onewindow.demo.bulk import build_city_bulk, default_persons
from onewindow.demo.cases import build_demo_cases
from onewindow.demo.citizen import build_demo_citizen
from onewindow.demo.generator import build_demo_city, demo_city_exists
from onewindow.demo.grid_cases import build_demo_grid_cases
from onewindow.demo.grids import build_demo_grids
from onewindow.demo.hotline import build_demo_hotline


class Command(BaseCommand):
    help = str(
        gettext_lazy(
            "Build the deterministic demo city (Liwan district: departments, centres, staff and "
            "service items) in one transaction."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help=str(gettext_lazy("Random seed; the same seed builds the same city.")),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=str(gettext_lazy("Item count factor: 1.0 gives about 600 items.")),
        )
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help=str(gettext_lazy("Build the city without demo cases.")),
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=str(
                gettext_lazy(
                    "Add a city-scale load of persons and cases in bulk (COPY on PostgreSQL) "
                    "to the demo city, building the demo city first if there is none."
                ),
            ),
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help=str(gettext_lazy("With --bulk: how many cases to add.")),
        )
        parser.add_argument(
            "--persons",
            type=int,
            default=None,
            help=str(
                gettext_lazy("With --bulk: how many persons (default: a tenth of the cases).")
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=str(gettext_lazy("Do nothing when the catalogue already has items.")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bulk"]:
            self._bulk(options)
            return
        if options["cases"] is not None or options["persons"] is not None:
            raise CommandError(_bilingual_text(gettext_lazy("--cases and --persons need --bulk.")))
        if options["if_empty"] and (ServiceItem.objects.exists() or demo_city_exists()):
            text = bilingual(
                gettext_lazy("The database has data already; the demo city was not built.")
            )
            self.stdout.write(f"{text['zh']} / {text['en']}")
            if demo_city_exists():
                # A demo built before the citizen's channel existed gets its demo citizen.
                settings.TASK_BACKEND = "sync"
                build_demo_citizen()
            return
        # The command's background work (import jobs, the demo cases' messages) runs in this
        # thread: a daemon thread would die with the command, half done.
        settings.TASK_BACKEND = "sync"
        try:
            build_demo_city(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
            self.stdout.write(
                _("Unit grids: %(count)s.") % {"count": build_demo_grids(seed=options["seed"])}
            )
            if not options["no_cases"]:
                made = build_demo_cases(seed=options["seed"])
                self.stdout.write(
                    _("Demo cases: %(cases)s for %(persons)s applicants.")
                    % {"cases": made.cases, "persons": made.persons}
                )
                build_demo_citizen()
                orders = build_demo_hotline(seed=options["seed"])
                self.stdout.write(_("12345 work orders: %(count)s.") % {"count": orders})
                grid_cases = build_demo_grid_cases(seed=options["seed"])
                self.stdout.write(_("Grid cases: %(count)s.") % {"count": grid_cases})
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc

    def _bulk(self, options: dict[str, Any]) -> None:
        cases = options["cases"]
        if cases is None:
            raise CommandError(
                _bilingual_text(gettext_lazy("--bulk needs --cases (how many cases to add)."))
            )
        persons = options["persons"] if options["persons"] is not None else default_persons(cases)
        settings.TASK_BACKEND = "sync"
        try:
            report = build_city_bulk(
                seed=options["seed"], persons=persons, cases=cases, stdout=self.stdout
            )
        except ApplicationError as exc:
            raise CommandError(_error_text(exc)) from exc
        self.stdout.write(
            _(
                "Bulk city ready: %(persons)s persons, %(organisations)s organisations, "
                "%(cases)s cases (%(open)s open) in %(seconds).1f s (%(cpu).1f s CPU), "
                "%(rate).0f rows/s; "
                "database %(size).1f MB."
            )
            % {
                "persons": report.persons,
                "organisations": report.organisations,
                "cases": report.cases,
                "open": report.open_cases,
                "seconds": report.seconds,
                "cpu": report.cpu_seconds,
                "rate": report.rows_per_second,
                "size": report.bytes_on_disk / 1024**2,
            }
        )


def _bilingual_text(message: Any) -> str:
    text = bilingual(message)
    return f"{text['zh']} / {text['en']}"


def _error_text(exc: ApplicationError) -> str:
    lines = [str(exc)]
    lines.extend(f"  {error.field}: {error}" for error in getattr(exc, "errors", None) or [])
    return "\n".join(lines)
