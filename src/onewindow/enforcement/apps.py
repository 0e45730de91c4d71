from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "onewindow.enforcement"
    label = "enforcement"
    verbose_name = _("Comprehensive enforcement (综合执法)")

    def ready(self) -> None:
        from onewindow.enforcement import workstations

        workstations.register()
