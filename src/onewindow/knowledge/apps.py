from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "onewindow.knowledge"
    label = "knowledge"
    verbose_name = _("Hotline knowledge base (知识库)")

    def ready(self) -> None:
        from onewindow.knowledge import workstations

        workstations.register()
