from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow.citizens"
    verbose_name = _("Citizen and company accounts")
