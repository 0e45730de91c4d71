import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the periodic tasks of core wherever tasks are discovered: the audit chain's
        # seal (ADR 0011) and the coming months' partitions (core.partitioning; nothing on a
        # database whose events and audit rows are not partitioned).
        from django.core import checks

        from onewindow.core import audit_chain, partitioning  # noqa: F401
        from onewindow.core.auth_audit import connect
        from onewindow.core.checks import (
            audit_role_checked,
            keys_read_the_data,
            monitoring_not_public,
        )

        connect()
        # With DEBUG=0 on PostgreSQL: not as a role that owns or may erase the audit trail.
        checks.register(audit_role_checked)
        # check --deploy (scripts/serve.sh runs it before serving): the keys read the stored
        # data, and /metrics is not opened to everyone by a proxy on the same machine.
        checks.register(keys_read_the_data, deploy=True)
        checks.register(monitoring_not_public, deploy=True)

        # The embedded server has no Celery beat and no cron: it runs the periodic tasks
        # (e.g. the outbox's sweep of due messages) itself, when asked to by ``make run``.
        if (
            os.environ.get("ONEWINDOW_PERIODIC_THREAD") == "1"
            and getattr(settings, "TASK_BACKEND", "thread") == "thread"
        ):
            from onewindow.core.tasks import periodic_thread_start

            periodic_thread_start()
