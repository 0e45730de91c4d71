"""The knowledge base's staff pages (知识库): the list with search and filters, one article with
its versions, the create and edit forms (an edit adds a version), the moves, and the
suggestion fragment for the hotline agent. Each page parses, checks, calls one service or
selector and renders; refusals answer the one 404 / 403 page through ``staff_page``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.core.errors import (
    ApplicationError,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
    bilingual,
)
from onewindow.core.validation import record_id
from onewindow.knowledge import selectors, services
from onewindow.knowledge.codes import ArticleState
from onewindow.knowledge.forms import (
    QUERY_MAX,
    ArticleCreateForm,
    ArticleFilterForm,
    ArticleReviseForm,
    ReviewConfirmForm,
)
from onewindow.knowledge.models import Article
from onewindow.knowledge.search import article_search
from onewindow.org.models import Department
from onewindow.org.permissions import Action, TargetScope, can, require, scope_queryset
from onewindow.staff.decorators import staff_page

PAGE_SIZE = 50
SEARCH_LIMIT = 50
SUGGEST_LIMIT = 5
MOVE_DONE = {
    "publish": _("The article is published: agents find it now."),
    "retire": _("The article is retired: it is no longer suggested."),
    "review": _("The review is confirmed."),
}


def _text(exc: ApplicationError) -> str:
    text = bilingual(exc.message, **exc.params)
    return f"{text['zh']} / {text['en']}"


def _article(request: HttpRequest, article_id: int) -> Article:
    if record_id(article_id) is None:
        raise NotFoundOrForbidden()
    article = selectors.article_get(request.user, article_id=article_id)
    if article is None:
        raise NotFoundOrForbidden()
    return article


def _editable_departments(user: Any) -> Any:
    return scope_queryset(
        user, Action.KNOWLEDGE_EDIT, Department.objects.all(), department_path="pk"
    ).order_by("name")


@require_safe
@staff_page
def article_list_page(request: HttpRequest) -> HttpResponse:
    """Every article the user may read, filtered; with a search text, the best matches (up to
    50). A constant number of queries whatever the number of articles."""
    require(request.user, Action.KNOWLEDGE_VIEW)
    form = ArticleFilterForm(request.GET)
    filters: dict[str, Any] = {}
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"] or ""
        filters = {
            "kind": data["kind"] or None,
            "state": data["state"] or None,
            "department_id": data["department"],
            "overdue": data["overdue"],
        }
    articles = selectors.article_list(request.user, **filters)
    hits = None
    page = None
    if query:
        hits = article_search(query, articles=articles, limit=SEARCH_LIMIT)
    else:
        page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = Department.objects.filter(
        pk__in=selectors.article_list_visible(request.user)
        .exclude(department=None)
        .values("department_id")
    ).order_by("name")
    return render(
        request,
        "knowledge/list.html",
        {
            "form": form,
            "query": query,
            "hits": hits,
            "page": page,
            "departments": departments,
            "may_create": can(request.user, Action.KNOWLEDGE_EDIT),
            "query_prefix": _without_page(request),
        },
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_safe
@staff_page
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    may_edit = can(request.user, Action.KNOWLEDGE_EDIT, article)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "versions": selectors.article_versions(article),
            "may_edit": may_edit,
            "states": ArticleState,
            "review_form": ReviewConfirmForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def article_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.KNOWLEDGE_EDIT)
    city_wide = can(request.user, Action.KNOWLEDGE_EDIT, TargetScope())
    departments = _editable_departments(request.user)
    form = ArticleCreateForm(
        request.POST if request.method == "POST" else None,
        departments=departments,
        city_wide=city_wide,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.article_create(
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    keywords=data["keywords"],
                    department=data["department"],
                    review_due=data["review_due"],
                    note=data["note"],
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The draft is saved. Publish it when it is right."))
                return redirect("knowledge_staff:article", article_id=article.pk)
        status = 400
    return render(request, "knowledge/form.html", {"form": form, "article": None}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    require(request.user, Action.KNOWLEDGE_EDIT, article)
    version = article.current_version
    initial = {
        "title": version.title if version else article.title,
        "keywords": version.keywords if version else article.keywords,
        "body": version.body if version else "",
        "based_on": version.number if version else 0,
    }
    form = ArticleReviseForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.article_revise(
                    actor=request.user,
                    article=article,
                    title=data["title"],
                    body=data["body"],
                    keywords=data["keywords"],
                    note=data["note"],
                    based_on=data["based_on"],
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except (NotFoundOrForbidden, PermissionDenied):
                raise
            except ApplicationError as exc:
                form.add_error(None, _text(exc))
                status = exc.status
            else:
                messages.success(request, _("A new version is saved."))
                return redirect("knowledge_staff:article", article_id=article.pk)
        if status == 200:
            status = 400
    return render(request, "knowledge/form.html", {"form": form, "article": article}, status=status)


@require_POST
@staff_page
def article_move(request: HttpRequest, article_id: int, move: str) -> HttpResponse:
    article = _article(request, article_id)
    if move not in MOVE_DONE:
        raise NotFoundOrForbidden()
    try:
        if move == "publish":
            services.article_publish(actor=request.user, article=article)
        elif move == "retire":
            services.article_retire(
                actor=request.user, article=article, reason=request.POST.get("reason", "")[:300]
            )
        else:
            form = ReviewConfirmForm(request.POST)
            if not form.is_valid():
                require(request.user, Action.KNOWLEDGE_EDIT, article)
                for problems in form.errors.values():
                    for problem in problems:
                        messages.error(request, str(problem))
                return redirect("knowledge_staff:article", article_id=article.pk)
            services.article_review_confirm(
                actor=request.user, article=article, next_due=form.cleaned_data["next_due"]
            )
    except (NotFoundOrForbidden, PermissionDenied):
        raise
    except ValidationFailed as exc:
        for error in exc.errors:
            text = bilingual(error.message, **error.params)
            messages.error(request, f"{text['zh']} / {text['en']}")
    except ApplicationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, MOVE_DONE[move])
    return redirect("knowledge_staff:article", article_id=article.pk)


@require_safe
@staff_page
def suggest(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of suggestions for what the agent types (``?q=``, optionally
    ``&department=<id>``): at most five published articles. Three queries whatever the
    number of articles."""
    require(request.user, Action.KNOWLEDGE_VIEW)
    query = request.GET.get("q", "")[:QUERY_MAX]
    department_id = record_id(request.GET.get("department", ""))
    hits = selectors.article_suggest(
        query, limit=SUGGEST_LIMIT, department_id=department_id, user=request.user
    )
    return render(request, "knowledge/suggest.html", {"hits": hits, "query": query})
