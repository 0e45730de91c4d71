from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "onewindow.hotline"
    label = "hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from onewindow.hotline import (
            workstations_centre,
            workstations_figures,
            workstations_open311,
            workstations_unit,
        )

        workstations_centre.register()
        workstations_unit.register()
        workstations_open311.register()
        workstations_figures.register()
