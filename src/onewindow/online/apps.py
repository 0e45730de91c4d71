from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "onewindow.online"
    label = "online"
    verbose_name = _("Online applications")

    def ready(self) -> None:
        from onewindow.online import workstations

        workstations.register()

        from onewindow.citizens.subjects import register_message_subjects

        register_message_subjects(_online_messages)


def _online_messages(account: Any) -> dict[str, list[str | int]]:
    """The OnlineApplications of the account, for its "my messages" (one query)."""
    from onewindow.online.models import OnlineApplication
    from onewindow.online.notifications import SUBJECT_TYPE

    return {
        SUBJECT_TYPE: list(
            OnlineApplication.objects.filter(account=account).values_list("pk", flat=True)
        )
    }
