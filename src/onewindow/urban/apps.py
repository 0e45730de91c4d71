from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UrbanConfig(AppConfig):
    name = "onewindow.urban"
    label = "urban"
    verbose_name = _("Grid management (城市网格化管理)")

    def ready(self) -> None:
        from onewindow.urban import (
            workstations_categories,
            workstations_figures,
            workstations_flow,
            workstations_report,
        )

        workstations_categories.register()
        workstations_figures.register()
        workstations_flow.register()
        workstations_report.register()
