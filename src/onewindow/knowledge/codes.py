"""Code values of the knowledge base."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_PREFIX = "ZS"
CODE_DIGITS = 6


class ArticleKind(models.TextChoices):
    LAW = "law", _("Laws and regulations (法律法规)")
    POLICY = "policy", _("Policy documents (政策文件)")
    DUTY = "duty", _("Department duties (部门职责)")
    ANSWER = "answer", _("Answers (问答口径)")


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def article_code(number: int) -> str:
    """``ZS`` and six digits: the code an agent reads out or types (ZS000042)."""
    return f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"
