import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The embedded server has no Celery beat and no cron: it runs the periodic tasks
        # (e.g. the outbox's sweep of due messages) itself, when asked to by ``make run``.
        if (
            os.environ.get("ONEWINDOW_PERIODIC_THREAD") == "1"
            and getattr(settings, "TASK_BACKEND", "thread") == "thread"
        ):
            from onewindow.core.tasks import periodic_thread_start

            periodic_thread_start()
