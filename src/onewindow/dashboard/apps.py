from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "onewindow.dashboard"
    label = "dashboard"
    verbose_name = _("Manager's dashboard")

    def ready(self) -> None:
        from onewindow.dashboard import workstations

        workstations.register()
