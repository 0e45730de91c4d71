"""Reads of the knowledge base, scoped to the user.

Published articles are read by whoever holds ``knowledge.view`` (city-wide: 共建共享); drafts
and retired articles by ``knowledge.view_draft`` within its scope (a department its own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.knowledge.codes import ArticleKind, ArticleState
from onewindow.knowledge.models import Article, ArticleVersion
from onewindow.knowledge.search import ArticleHit, article_search
from onewindow.org.permissions import Action, can, scope_queryset

SUGGEST_LIMIT_MAX = 20


def article_list_visible(user: Any) -> QuerySet[Article]:
    """Every article ``user`` may read (published ones, and drafts and retired ones of the
    scope), with department, current version and owner loaded."""
    condition = Q(pk__in=[])
    if can(user, Action.KNOWLEDGE_VIEW):
        condition |= Q(state=ArticleState.PUBLISHED)
    if can(user, Action.KNOWLEDGE_VIEW_DRAFT):
        drafts = scope_queryset(
            user,
            Action.KNOWLEDGE_VIEW_DRAFT,
            Article.objects.all(),
            department_path="department_id",
        )
        condition |= Q(pk__in=drafts.values("pk"))
    return Article.objects.filter(condition).select_related(
        "department", "current_version", "owner"
    )


def article_list(
    user: Any,
    *,
    kind: str | None = None,
    department_id: int | None = None,
    state: str | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Article]:
    """The list page's articles: visible to ``user``, filtered (a value outside the choices
    is the caller's to refuse). ``overdue``: the review date has passed (retired ones never)."""
    articles = article_list_visible(user)
    if kind:
        articles = articles.filter(kind=kind)
    if department_id is not None:
        articles = articles.filter(department_id=department_id)
    if state:
        articles = articles.filter(state=state)
    if overdue:
        articles = articles.filter(review_due__lt=today or timezone.localdate()).exclude(
            state=ArticleState.RETIRED
        )
    return articles.order_by("code")


def article_get(user: Any, *, article_id: int) -> Article | None:
    """One article ``user`` may read, or ``None`` (missing and not yours alike)."""
    return article_list_visible(user).filter(pk=article_id).first()


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("changed_by").order_by("-number")


def article_suggest(
    text: str,
    *,
    limit: int = 5,
    department_id: int | None = None,
    user: Any = None,
) -> list[ArticleHit]:
    """Published articles answering ``text`` (what the agent is typing), best first.

    With ``user``, nothing unless they hold ``knowledge.view``. A constant number of queries
    (three, none for an empty text) whatever the number of articles; see ``search``."""
    if user is not None and not can(user, Action.KNOWLEDGE_VIEW):
        return []
    articles = Article.objects.filter(state=ArticleState.PUBLISHED)
    if department_id is not None:
        articles = articles.filter(department_id=department_id)
    return article_search(text, articles=articles, limit=min(limit, SUGGEST_LIMIT_MAX))


__all__ = [
    "ArticleHit",
    "ArticleKind",
    "article_get",
    "article_list",
    "article_list_visible",
    "article_suggest",
    "article_versions",
]
