from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "onewindow.grid"
    label = "grid"
    verbose_name = _("Unit grids")

    def ready(self) -> None:
        from onewindow.grid import workstations

        workstations.register()
