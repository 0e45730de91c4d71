"""The knowledge base of the 12345 hotline (知识库): articles with immutable versions.

An ``Article`` is one piece of knowledge an agent may read out — a law, a policy, a
department's duties, an answer (问答口径) — with its owner, its department and its next review
date. Its text lives in ``ArticleVersion`` rows: a revision adds a version and moves
``current_version``; a version is never changed (a work order records the version it answered
from). The ``search_*`` fields are the current version's terms (``catalog.search.search_terms``),
rebuilt by the services on every write.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import ServiceItem
from onewindow.core.models import TimeStampedModel
from onewindow.knowledge.codes import ArticleKind, ArticleState
from onewindow.org.models import Department
from onewindow.org.permissions import TargetScope

TITLE_MAX = 200
KEYWORDS_MAX = 500
BODY_MAX = 20000
NOTE_MAX = 255
SOURCE_KEY_MAX = 64


class Article(TimeStampedModel):
    code = models.CharField(_("article code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    keywords = models.CharField(
        _("search keywords"),
        max_length=KEYWORDS_MAX,
        blank=True,
        help_text=_("Everyday words callers use for this, separated by spaces."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="knowledge_articles",
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_articles",
    )
    # Where a seeded article came from ("item-guide:<basic code>", "item-faq:<faq id>",
    # "duty:<department key>"): seeding again finds it instead of adding a second one.
    source_key = models.CharField(
        _("source key"), max_length=SOURCE_KEY_MAX, unique=True, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    current_version = models.ForeignKey(
        "ArticleVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    search_title = models.TextField(_("title terms"), blank=True, editable=False)
    search_keywords = models.TextField(_("keyword terms"), blank=True, editable=False)
    search_body = models.TextField(_("body terms"), blank=True, editable=False)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["code"]
        indexes = [models.Index(fields=["state", "department"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def permission_scope(self) -> TargetScope:
        if self.department_id is None:
            # A city-wide article (a law): only city-wide grants cover it.
            return TargetScope()
        return TargetScope(department_ids=frozenset({self.department_id}))


class ArticleVersion(models.Model):
    """One immutable text of an article; a revision adds the next number."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    keywords = models.CharField(_("search keywords"), max_length=KEYWORDS_MAX, blank=True)
    body = models.TextField(_("text"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))
    note = models.CharField(_("note on the change"), max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = _("knowledge article version")
        verbose_name_plural = _("knowledge article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="knowledge_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An article version is immutable: a revision adds a version.")
        super().save(*args, **kwargs)
