from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "onewindow.workcal"
    label = "workcal"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from onewindow.workcal import signals  # noqa: F401  (connects the receivers)
