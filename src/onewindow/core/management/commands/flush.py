"""Django's ``flush``, able to empty the append-only audit table.

The audit guard (``core.audit_guard``) refuses every DELETE and TRUNCATE of audit rows. Emptying
a whole database is an operator's reset (and what Django does between transactional tests), so
this command lifts the guard inside its own transaction and installs it again before commit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from onewindow.core.audit_guard import guard_lifted


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with guard_lifted(connection):
            super().handle(**options)
