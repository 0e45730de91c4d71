from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "onewindow.online"
    label = "online"
    verbose_name = _("Online applications")

    def ready(self) -> None:
        from onewindow.online import workstations

        workstations.register()
