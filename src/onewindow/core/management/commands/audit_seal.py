"""Chain the audit rows not yet sealed: ``manage.py audit_seal`` (cron, every minute, where no
Celery beat or periodic thread runs the ``audit_chain_seal`` task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit_chain import audit_seal
from onewindow.core.management.commands._bilingual import both


class Command(BaseCommand):
    help = "Seal the audit rows not yet chained (ADR 0011)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="at most this many rows")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = audit_seal(limit=options["limit"])
        self.stdout.write(
            both(
                _("Audit rows sealed: %(count)s; chain head %(seq)s:%(hash)s."),
                count=outcome.sealed,
                seq=outcome.head_seq,
                hash=outcome.head_hash,
            )
        )
