"""Writes of the knowledge base. Every path that changes an article (pages, seeding, the demo)
ends here.

Invariants:
- permission first (``knowledge.edit`` on the article's department; an article of no
  department is city-wide), before any lookup or validation; a refusal is audited;
- inputs checked at the edge (no control characters, lengths, a known kind and department):
  ``ValidationFailed`` naming every problem, nothing written;
- a revision adds an ``ArticleVersion`` and moves ``current_version``; a version is never
  changed; the search terms are rebuilt in the same transaction;
- one transaction per call, with one audit row (``knowledge.<action>``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import ServiceItem
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.core.validation import DAY_MAX, has_control_characters
from onewindow.knowledge.codes import ArticleKind, ArticleState, article_code
from onewindow.knowledge.errors import ArticleNotAllowed, StaleArticle
from onewindow.knowledge.models import (
    BODY_MAX,
    KEYWORDS_MAX,
    NOTE_MAX,
    TITLE_MAX,
    Article,
    ArticleVersion,
)
from onewindow.knowledge.numbering import next_code_number, next_review
from onewindow.knowledge.search import index_fields
from onewindow.knowledge.seeding import SeedResult, seed_run
from onewindow.org.models import Department
from onewindow.org.permissions import Action, TargetScope, can, require

INVALID = _("The article cannot be saved as it is; correct the fields marked.")


# --- checks ---------------------------------------------------------------------------------


def _text(
    errors: ErrorList,
    name: str,
    value: Any,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    if not isinstance(value, str):
        errors.add(name, "invalid", _("This must be text."))
        return ""
    value = value.strip()
    if has_control_characters(value, multiline=multiline):
        errors.add(
            name,
            "control_characters",
            _("This must not contain control characters (such as a NUL byte); retype it.")
            if not multiline
            else _(
                "This must not contain control characters other than tabs and line breaks; "
                "retype it."
            ),
        )
    elif required and not value:
        errors.add(name, "required", _("This is required."))
    elif len(value) > max_length:
        errors.add(
            name,
            "too_long",
            _("At most %(max)s characters (this has %(length)s)."),
            max=max_length,
            length=len(value),
        )
    return value


@dataclass(frozen=True)
class ArticleText:
    title: str
    keywords: str
    body: str
    note: str


def _article_text(
    errors: ErrorList, *, title: Any, body: Any, keywords: Any, note: Any
) -> ArticleText:
    return ArticleText(
        title=_text(errors, "title", title, max_length=TITLE_MAX),
        keywords=" ".join(
            _text(errors, "keywords", keywords, max_length=KEYWORDS_MAX, required=False).split()
        ),
        body=_text(errors, "body", body, max_length=BODY_MAX, multiline=True),
        note=_text(errors, "note", note, max_length=NOTE_MAX, required=False),
    )


def article_text_check(*, title: Any, body: Any, keywords: Any = "", note: Any = "") -> ArticleText:
    """The text of an article, stripped, or ``ValidationFailed`` naming every problem."""
    errors = ErrorList()
    text = _article_text(errors, title=title, body=body, keywords=keywords, note=note)
    errors.raise_if_any(INVALID)
    return text


def _scope(department: Department | None) -> TargetScope:
    return TargetScope(department_ids=frozenset({department.pk})) if department else TargetScope()


def may_read(user: Any, article: Article) -> bool:
    """Published articles: whoever reads the knowledge base; drafts and retired ones: the
    editors and readers of drafts of the article's department."""
    if article.state == ArticleState.PUBLISHED and can(user, Action.KNOWLEDGE_VIEW):
        return True
    return can(user, Action.KNOWLEDGE_VIEW_DRAFT, article)


def _require_edit(actor: Any, article: Article) -> None:
    # Someone who may not even read the article learns nothing of it (the one 404).
    require(actor, Action.KNOWLEDGE_EDIT, article, hide=not may_read(actor, article))


def _review_due_check(errors: ErrorList, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    today = timezone.localdate()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add("review_due", "invalid", _("Give a date (YYYY-MM-DD)."))
        return None
    if not today < value <= DAY_MAX:
        errors.add(
            "review_due",
            "out_of_range",
            _("The next review must be after today and at most %(last)s."),
            last=DAY_MAX.isoformat(),
        )
        return None
    return value


def _version_add(
    article: Article, text: ArticleText, *, actor: Any, number: int, now: dt.datetime
) -> ArticleVersion:
    version = ArticleVersion.objects.create(
        article=article,
        number=number,
        title=text.title,
        keywords=text.keywords,
        body=text.body,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_at=now,
        note=text.note,
    )
    article.current_version = version
    article.title = text.title
    article.keywords = text.keywords
    for name, value in index_fields(
        title=text.title, keywords=text.keywords, body=text.body
    ).items():
        setattr(article, name, value)
    return version


# --- one article ----------------------------------------------------------------------------


def article_create(
    *,
    actor: Any,
    kind: Any,
    title: Any,
    body: Any,
    keywords: Any = "",
    department: Department | None = None,
    item: ServiceItem | None = None,
    review_due: Any = None,
    note: Any = "",
) -> Article:
    """A draft article with its first version, owned by ``actor``. ``knowledge.edit`` on the
    department (city-wide for an article of no department) is checked first."""
    require(actor, Action.KNOWLEDGE_EDIT, _scope(department))
    errors = ErrorList()
    if kind not in ArticleKind.values:
        errors.add("kind", "invalid", _("Choose one of the kinds listed."))
    text = _article_text(errors, title=title, body=body, keywords=keywords, note=note)
    due = _review_due_check(errors, review_due)
    errors.raise_if_any(INVALID)
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                article = Article.objects.create(
                    code=article_code(next_code_number()),
                    kind=kind,
                    title=text.title,
                    keywords=text.keywords,
                    department=department,
                    item=item,
                    owner=actor if getattr(actor, "is_authenticated", False) else None,
                    review_due=due,
                )
                _version_add(article, text, actor=actor, number=1, now=now)
                article.save()
                audit_record(
                    actor=actor,
                    action="knowledge.article_create",
                    obj=article,
                    detail={"kind": kind, "version": 1},
                )
                return article
        except IntegrityError:
            # Two articles took the same next code at once: take the next one.
            continue
    raise IntegrityError("no free article code after three attempts")


def _locked(article: Article) -> Article:
    return (
        Article.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=article.pk)
    )


def article_revise(
    *,
    actor: Any,
    article: Article,
    title: Any,
    body: Any,
    keywords: Any = "",
    note: Any = "",
    based_on: int | None = None,
) -> ArticleVersion:
    """A new version of ``article`` (its current one from now on), for a draft or a published
    article (a published one stays published: the knowledge base is updated in place, 实时更新).
    ``based_on`` is the version number the editor read; another one is ``StaleArticle``."""
    _require_edit(actor, article)
    text = article_text_check(title=title, body=body, keywords=keywords, note=note)
    with transaction.atomic():
        locked = _locked(article)
        if locked.state == ArticleState.RETIRED:
            raise ArticleNotAllowed(state_label=ArticleState(locked.state).label, verb=_("revised"))
        current = locked.current_version
        number = current.number if current else 0
        if based_on is not None and based_on != number:
            raise StaleArticle()
        version = _version_add(locked, text, actor=actor, number=number + 1, now=timezone.now())
        locked.save()
        audit_record(
            actor=actor,
            action="knowledge.article_revise",
            obj=locked,
            detail={"version": version.number},
        )
    return version


def article_publish(*, actor: Any, article: Article) -> Article:
    """Draft or retired → published; the next review is set when none lies ahead."""
    _require_edit(actor, article)
    with transaction.atomic():
        locked = _locked(article)
        if locked.state == ArticleState.PUBLISHED:
            raise ArticleNotAllowed(
                state_label=ArticleState(locked.state).label, verb=_("published")
            )
        today = timezone.localdate()
        previous = locked.state
        locked.state = ArticleState.PUBLISHED
        locked.published_at = timezone.now()
        if locked.review_due is None or locked.review_due <= today:
            locked.review_due = next_review(today)
        locked.save()
        audit_record(
            actor=actor,
            action="knowledge.article_publish",
            obj=locked,
            detail={"from": previous, "review_due": locked.review_due.isoformat()},
        )
    return locked


def article_retire(*, actor: Any, article: Article, reason: Any = "") -> Article:
    """Draft or published → retired: no longer suggested; its versions stay."""
    _require_edit(actor, article)
    errors = ErrorList()
    reason = _text(errors, "reason", reason, max_length=NOTE_MAX, required=False)
    errors.raise_if_any(INVALID)
    with transaction.atomic():
        locked = _locked(article)
        if locked.state == ArticleState.RETIRED:
            raise ArticleNotAllowed(state_label=ArticleState(locked.state).label, verb=_("retired"))
        previous = locked.state
        locked.state = ArticleState.RETIRED
        locked.save()
        audit_record(
            actor=actor,
            action="knowledge.article_retire",
            obj=locked,
            detail={"from": previous, "reason": reason},
        )
    return locked


def article_review_confirm(
    *, actor: Any, article: Article, next_due: dt.date | None = None
) -> Article:
    """The owner checked the article is still right: the next review is ``next_due``
    (default today + ``KNOWLEDGE_REVIEW_DAYS``). Not for a retired article."""
    _require_edit(actor, article)
    errors = ErrorList()
    due = _review_due_check(errors, next_due) if next_due is not None else None
    errors.raise_if_any(INVALID)
    with transaction.atomic():
        locked = _locked(article)
        if locked.state == ArticleState.RETIRED:
            raise ArticleNotAllowed(
                state_label=ArticleState(locked.state).label, verb=_("reviewed")
            )
        previous = locked.review_due
        locked.review_due = due or next_review()
        locked.save()
        audit_record(
            actor=actor,
            action="knowledge.article_review_confirm",
            obj=locked,
            detail={
                "previous": previous.isoformat() if previous else None,
                "review_due": locked.review_due.isoformat(),
            },
        )
    return locked


# --- seeding --------------------------------------------------------------------------------


def knowledge_seed(*, actor: Any = None, items: Any = None) -> SeedResult:
    """Articles from the catalogue and the duties file, idempotently (details: ``seeding``).

    ``actor=None`` is the system (the demo generator, ``manage.py knowledge_seed``); a user
    needs city-wide ``knowledge.edit``."""
    if actor is not None:
        require(actor, Action.KNOWLEDGE_EDIT, TargetScope())
    with transaction.atomic():
        result = seed_run(items=items, today=timezone.localdate(), now=timezone.now())
        audit_record(
            actor=actor,
            action="knowledge.seed",
            object_type="knowledge.article",
            detail={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            },
        )
    return result
