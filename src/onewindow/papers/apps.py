from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PapersConfig(AppConfig):
    name = "onewindow.papers"
    label = "papers"
    verbose_name = _("Electronic papers")
