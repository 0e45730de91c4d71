from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("Ratings and the bad-rating loop (好差评)")

    def ready(self) -> None:
        from onewindow.ratings import workstations_rate, workstations_rectify

        workstations_rate.register()
        workstations_rectify.register()
