"""Labels of the knowledge base's audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action

ACTION_LABELS = {
    "knowledge.article_create": _("Knowledge article created"),
    "knowledge.article_revise": _("Knowledge article revised"),
    "knowledge.article_publish": _("Knowledge article published"),
    "knowledge.article_retire": _("Knowledge article retired"),
    "knowledge.article_review_confirm": _("Knowledge article review confirmed"),
    "knowledge.seed": _("Knowledge base seeded"),
}

PERMISSION_LABELS = {
    Action.KNOWLEDGE_VIEW: _("read the knowledge base"),
    Action.KNOWLEDGE_VIEW_DRAFT: _("read draft and retired knowledge articles"),
    Action.KNOWLEDGE_EDIT: _("write, publish and retire knowledge articles"),
}
