"""Public catalogue pages: home, search, items by department and by life event, item guide and
the published power list.

Every page reads through ``selectors`` (published items only, except that staff who may see
drafts get them on the guide page) and runs a fixed number of queries whatever the size of the
catalogue: lists are paginated, related rows are joined or prefetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onewindow.catalog import selectors
from onewindow.catalog.codes import (
    Audience,
    ItemStatus,
    ItemType,
    OnlineDepth,
    ServiceObject,
)
from onewindow.catalog.models import LifeEventTopic, ServiceItem
from onewindow.catalog.search import item_filter, item_search_grouped
from onewindow.org.codes import RegionLevel
from onewindow.org.models import CentreLevel, Department, Region, ServiceCentre

ITEMS_PER_PAGE = 30
POWER_LIST_PER_PAGE = 50
SEARCH_LIMIT = 50
SEARCH_QUERY_MAX_LENGTH = 100
# The chosen street (a division code) is remembered in this cookie for a year.
SEARCH_STREET_COOKIE = "ow_street"
SEARCH_STREET_COOKIE_AGE = 365 * 24 * 3600
# How many service centres an item guide lists by name; the rest are counted.
GUIDE_CENTRES_SHOWN = 12

# 权力清单: the administrative powers are item types 01–10. Public services (20) and items that
# are only reviewed and forwarded upwards (12) are published beside them, each in its own tab.
POWER_TYPES = tuple(ItemType.values[:10])
POWER_LIST_KINDS: dict[str, tuple[str, ...]] = {
    "power": POWER_TYPES,
    "service": (ItemType.PUBLIC_SERVICE,),
    "forward": (ItemType.REVIEW_FORWARD,),
}
POWER_LIST_KIND_LABELS = {
    "power": _("Administrative powers"),
    "service": _("Public services"),
    "forward": _("Review and forward"),
}
# Fields a row of an item list needs; leaving out the long texts keeps 1,000-item lists light.
LIST_FIELDS = (
    "id",
    "name",
    "name_en",
    "basic_code",
    "implementation_code",
    "item_type",
    "exercise_level",
    "case_type",
    "promised_limit",
    "promised_limit_unit",
    "visits",
    "is_online",
    "online_depth",
    "charges_fee",
    "status",
    "department__id",
    "department__name",
    "department__name_en",
)
CENTRE_LEVEL_ORDER = {level: index for index, level in enumerate(CentreLevel.values)}


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _list_items(queryset: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    return queryset.only(*LIST_FIELDS).order_by("department__name", "name", "id")


def _is_htmx(request: HttpRequest) -> bool:
    # A history-restore request wants the whole page back, not the fragment.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Life events with nothing published yet would lead to an empty page: leave them out.
    topics = [t for t in selectors.topic_list_with_item_counts() if getattr(t, "item_count", 0)]
    context = {
        "topics_individual": [t for t in topics if t.audience == Audience.NATURAL_PERSON],
        "topics_business": [t for t in topics if t.audience == Audience.LEGAL_PERSON],
        "departments": list(selectors.department_list_with_item_counts()),
    }
    return render(request, "catalog/home.html", context)


def _search_street(
    request: HttpRequest, streets: list[Region] | None
) -> tuple[Region | None, bool]:
    """The street whose implementations come first: ``?street=<division code>`` (empty for
    the whole district), else the one remembered in the cookie. Returns it and whether the
    request chose it (to be remembered). An unknown code means the whole district."""
    chosen = request.GET.get("street")
    remember = chosen is not None
    code = (chosen if remember else request.COOKIES.get(SEARCH_STREET_COOKIE)) or ""
    if not code.isdigit() or len(code) != 12:
        return None, remember
    if streets is not None:
        return next((street for street in streets if street.code == code), None), remember
    return Region.objects.filter(level=RegionLevel.STREET, code=code).first(), remember


def _search_department(request: HttpRequest) -> int | None:
    value = request.GET.get("department", "")
    # ASCII digits only: "²" is a digit to str.isdigit but not to int().
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 9 else None


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Results grouped by basic code (one card per item, its implementations listed, the
    chosen street's first), with filters: department, can apply online, instant item."""
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]
    fragment = _is_htmx(request)
    # The whole page lists the streets and departments to choose from; the fragment does not.
    streets = None if fragment else list(Region.objects.filter(level=RegionLevel.STREET))
    street, remember = _search_street(request, streets)
    department_id = _search_department(request)
    online = request.GET.get("online") == "1"
    instant = request.GET.get("instant") == "1"
    items = item_filter(
        selectors.item_list_public(),
        department_id=department_id,
        online=online or None,
        instant=instant or None,
    )
    groups = (
        item_search_grouped(query, limit=SEARCH_LIMIT, items=items, region=street) if query else []
    )
    context = {
        "query": query,
        "groups": groups,
        "limit": SEARCH_LIMIT,
        "street": street,
        "streets": streets or [],
        "departments": [] if fragment else list(selectors.department_list_with_item_counts()),
        "department_id": department_id,
        "online": online,
        "instant": instant,
        "filtered": bool(department_id or online or instant),
    }
    template = "catalog/_search_results.html" if fragment else "catalog/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    if remember:
        if street is None:
            response.delete_cookie(SEARCH_STREET_COOKIE, samesite="Lax")
        else:
            response.set_cookie(
                SEARCH_STREET_COOKIE,
                street.code,
                max_age=SEARCH_STREET_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
    return response


@require_safe
def department_items(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id, is_active=True)
    items = _list_items(selectors.item_list_public().filter(department=department))
    return render(
        request,
        "catalog/department_items.html",
        {"department": department, "page": _page(request, items, ITEMS_PER_PAGE)},
    )


@require_safe
def topic_items(request: HttpRequest, code: str) -> HttpResponse:
    topic = get_object_or_404(LifeEventTopic, code=code)
    items = _list_items(selectors.item_list_public().filter(topics=topic))
    return render(
        request,
        "catalog/topic_items.html",
        {"topic": topic, "page": _page(request, items, ITEMS_PER_PAGE)},
    )


@dataclass(frozen=True)
class CentreListing:
    centres: list[ServiceCentre]
    more: int


def _centres_accepting(item: ServiceItem) -> CentreListing:
    """The service centres whose windows accept ``item`` (通办范围), hall first."""
    levels = list(item.handled_at_levels or [])
    if not levels:
        return CentreListing(centres=[], more=0)
    candidates = ServiceCentre.objects.filter(is_active=True, level__in=levels).select_related(
        "region"
    )
    accepting = [c for c in candidates if selectors.item_accepted_at(item=item, centre=c)]
    accepting.sort(key=lambda c: (CENTRE_LEVEL_ORDER.get(c.level, 99), c.code))
    return CentreListing(
        centres=accepting[:GUIDE_CENTRES_SHOWN],
        more=max(0, len(accepting) - GUIDE_CENTRES_SHOWN),
    )


def _web_link(url: str) -> str:
    """Only http(s) addresses become links; anything else (``javascript:`` …) is dropped."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def _labels(values: list[Any] | None, choices: Any) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(str(value), value)) for value in (values or [])]


@require_safe
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for_page(item_id=item_id, user=request.user)
    if item is None:
        # Drafts and cancelled items answer exactly like missing ones.
        raise Http404
    materials = list(item.materials.all())
    context = {
        "item": item,
        "is_public": item.status == ItemStatus.PUBLISHED,
        "materials": materials,
        "downloads": [m for m in materials if m.blank_form or m.sample_file],
        "fee_items": list(item.fee_items.all()),
        "steps": list(item.steps.all()),
        "faqs": list(item.faqs.all()),
        "topics": list(item.topics.all()),
        "joint_departments": list(item.joint_departments.all()),
        "regions": list(item.handled_in_regions.all()),
        "service_object_labels": _labels(item.service_objects, ServiceObject),
        "centre_level_labels": _labels(
            sorted(item.handled_at_levels or [], key=lambda v: CENTRE_LEVEL_ORDER.get(v, 99)),
            CentreLevel,
        ),
        "online_depth_labels": _labels(sorted(item.online_depth or []), OnlineDepth),
        "online_pc_link": _web_link(item.online_pc_url),
        "online_mobile_link": _web_link(item.online_mobile_url),
        "centres": _centres_accepting(item),
    }
    return render(request, "catalog/item_detail.html", context)


MATERIAL_FILE_KINDS = {"blank-form": "blank_form", "sample": "sample_file"}


@require_safe
def item_file(
    request: HttpRequest, item_id: int, material_id: int | None = None, kind: str = ""
) -> FileResponse:
    """A blank form, a filled-in sample or the result sample of an item whose guide the user may
    read (published, or a draft in a staff user's scope); anything else answers 404."""
    item = selectors.item_get_for_page(item_id=item_id, user=request.user)
    if item is None:
        raise Http404
    field_file: FieldFile
    if material_id is None:
        field_file = item.result_sample
    else:
        material = next((m for m in item.materials.all() if m.pk == material_id), None)
        if material is None or kind not in MATERIAL_FILE_KINDS:
            raise Http404
        field_file = getattr(material, MATERIAL_FILE_KINDS[kind])
    name = field_file.name if field_file else None
    if not name or not field_file.storage.exists(name):
        raise Http404
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])


@require_safe
def power_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "power")
    if kind not in POWER_LIST_KINDS:
        kind = "power"
    types = POWER_LIST_KINDS[kind]
    published = selectors.item_list_public()
    type_counts = {
        row["item_type"]: row["count"]
        for row in published.order_by().values("item_type").annotate(count=Count("id"))
    }
    kind_counts = {
        name: sum(type_counts.get(t, 0) for t in kind_types)
        for name, kind_types in POWER_LIST_KINDS.items()
    }
    items = published.filter(item_type__in=types)
    item_type = request.GET.get("type", "")
    if item_type in types:
        items = items.filter(item_type=item_type)
    else:
        item_type = ""
    departments = list(selectors.department_list_with_item_counts())
    department = None
    department_id = request.GET.get("department", "")
    if department_id.isascii() and department_id.isdigit():
        department = next((d for d in departments if d.pk == int(department_id)), None)
    if department is not None:
        items = items.filter(department=department)
    items = items.only(*LIST_FIELDS, "legal_basis").order_by(
        "department__name", "item_type", "basic_code", "id"
    )
    context = {
        "kind": kind,
        "kinds": [
            {"code": code, "label": label, "count": kind_counts[code]}
            for code, label in POWER_LIST_KIND_LABELS.items()
        ],
        "type_choices": [
            (value, label, type_counts.get(value, 0))
            for value, label in ItemType.choices
            if value in types and len(types) > 1
        ],
        "item_type": item_type,
        "departments": departments,
        "department": department,
        "page": _page(request, items, POWER_LIST_PER_PAGE),
        "page_query": urlencode(
            [
                (key, value)
                for key, value in (
                    ("kind", kind),
                    ("department", department.pk if department else ""),
                    ("type", item_type),
                )
                if value
            ]
        ),
    }
    return render(request, "catalog/power_list.html", context)
