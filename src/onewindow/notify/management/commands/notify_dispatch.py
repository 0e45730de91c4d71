"""Send the messages whose next attempt is due: ``manage.py notify_dispatch`` (cron, every
minute, where no Celery beat runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.notify.services import DISPATCH_BATCH, messages_dispatch_due


class Command(BaseCommand):
    help = "Send every pending or failed message whose next attempt is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=DISPATCH_BATCH, help="at most this many messages"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = messages_dispatch_due(limit=options["limit"])
        self.stdout.write(
            _(
                "Messages sent: %(sent)s, failed (to be retried): %(failed)s, given up: "
                "%(dead)s, skipped: %(skipped)s."
            )
            % {key: outcome.get(key, 0) for key in ("sent", "failed", "dead", "skipped")}
        )
