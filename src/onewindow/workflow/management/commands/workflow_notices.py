"""Tell the events whose after-commit notice was lost: ``manage.py workflow_notices`` (cron,
every minute, where no Celery beat and no periodic thread runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.workflow.tasks import SWEEP_BATCH, notices_deliver_due


class Command(BaseCommand):
    help = "Tell every event whose notice is still pending after the grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=SWEEP_BATCH, help="at most this many events per machine"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = notices_deliver_due(limit=options["limit"])
        self.stdout.write(
            _("Notices told: %(told)s, skipped: %(skipped)s, failed (still pending): %(failed)s.")
            % outcome
        )
