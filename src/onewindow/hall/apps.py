from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "onewindow.hall"
    label = "hall"
    verbose_name = _("Appointments and the queue")

    def ready(self) -> None:
        from onewindow.hall import workstations

        workstations.register()
