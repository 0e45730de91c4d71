"""``manage.py demo_city``: build the demo city (Liwan district) into the database."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.catalog.models import ServiceItem
from onewindow.core.errors import ApplicationError, bilingual
from onewindow.demo.cases import build_demo_cases
from onewindow.demo.generator import build_demo_city, demo_city_exists


class Command(BaseCommand):
    help = cast(
        str,
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
            help=cast(str, gettext_lazy("Random seed; the same seed builds the same city.")),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=cast(str, gettext_lazy("Item count factor: 1.0 gives about 600 items.")),
        )
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help=cast(str, gettext_lazy("Build the city without demo cases.")),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=cast(str, gettext_lazy("Do nothing when the catalogue already has items.")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and (ServiceItem.objects.exists() or demo_city_exists()):
            text = bilingual(
                gettext_lazy("The database has data already; the demo city was not built.")
            )
            self.stdout.write(f"{text['zh']} / {text['en']}")
            return
        # The command's background work (import jobs, the demo cases' messages) runs in this
        # thread: a daemon thread would die with the command, half done.
        settings.TASK_BACKEND = "sync"
        try:
            build_demo_city(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
            if not options["no_cases"]:
                made = build_demo_cases(seed=options["seed"])
                self.stdout.write(
                    _("Demo cases: %(cases)s for %(persons)s applicants.")
                    % {"cases": made.cases, "persons": made.persons}
                )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
