"""Django's ``flush``, able to empty the append-only audit table — but only on a demo or a test
database.

The audit guard (``core.audit_guard``) refuses every DELETE and TRUNCATE of audit rows. Emptying
a whole database is an operator's reset of the embedded demo (``DEBUG=1``) and what Django does
between transactional tests, so there this command lifts the guard inside its own transaction
and installs it again before commit. Anywhere else (``DEBUG=0``, not under tests) it refuses
while the audit trail or the seal's head holds anything: the trail is kept as long as its rows
(ADR 0011).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit_guard import guard_lifted
from onewindow.core.management.commands._bilingual import both
from onewindow.core.models import AuditLog, AuditSealHead


def under_tests() -> bool:
    """Whether Django's test environment is set up (``setup_test_environment``, which the test
    runner and pytest-django call, gives ``django.core.mail`` its ``outbox``)."""
    return hasattr(mail, "outbox")


def may_empty_the_audit_trail() -> bool:
    return bool(settings.DEBUG) or under_tests()


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        alias = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[alias]
        if not may_empty_the_audit_trail() and self._trail_holds_rows(alias):
            raise CommandError(
                both(
                    _(
                        "flush refused: it would empty the audit trail, which must be kept. Only "
                        "a demo (DEBUG=1) or a test database may be flushed."
                    )
                )
            )
        with guard_lifted(connection):
            super().handle(**options)

    @staticmethod
    def _trail_holds_rows(alias: str) -> bool:
        try:
            return (
                AuditLog.objects.using(alias).exists()
                or AuditSealHead.objects.using(alias).filter(seq__gt=0).exists()
            )
        except DatabaseError:  # not migrated yet: no trail to lose
            return False
