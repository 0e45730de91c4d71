from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessConfig(AppConfig):
    name = "onewindow.assess"
    label = "assess"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from onewindow.assess import workstations

        workstations.register()
