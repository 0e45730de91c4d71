"""The knowledge base's entry in the staff shell. Called once from ``KnowledgeConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="knowledge.articles",
        label=_("Knowledge base"),
        url_name="knowledge_staff:list",
        action=Action.KNOWLEDGE_VIEW,
        order=50,
        description=_("Laws, policies, department duties and answers for the hotline (知识库)."),
    )
