"""Catalogue HTTP API: public reads of the published catalogue, staff writes.

Field names and code values follow the national implementation list (see STANDARDS.md), so a
provincial platform can read items without a mapping table.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from onewindow.catalog.models import Material, ServiceItem
from onewindow.catalog.search import item_search
from onewindow.catalog.selectors import (
    department_list_with_item_counts,
    item_list_public,
    item_list_visible,
    topic_list_with_item_counts,
)
from onewindow.catalog.services import item_publish, item_snapshot
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.permissions import Action, require

router = Router(tags=["catalog"])

MAX_PAGE = 200


class ItemSummary(Schema):
    id: int
    implementation_code: str
    basic_code: str
    name: str
    name_en: str
    department_id: int
    department_name: str
    item_type: str
    case_type: str
    promised_limit: int
    promised_limit_unit: str
    status: str
    version: int


class ItemPage(Schema):
    count: int
    items: list[ItemSummary]


class ItemDetail(Schema):
    id: int
    status: str
    version: int
    content: dict[str, Any]


class SearchResult(Schema):
    score: float
    item: ItemSummary


class TopicOut(Schema):
    code: str
    name: str
    name_en: str
    audience: str
    item_count: int


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    item_count: int


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    errors: list[dict[str, Any]]


def _summary(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "implementation_code": item.implementation_code,
        "basic_code": item.basic_code,
        "name": item.name,
        "name_en": item.name_en,
        "department_id": item.department_id,
        "department_name": item.department.name,
        "item_type": item.item_type,
        "case_type": item.case_type,
        "promised_limit": item.promised_limit,
        "promised_limit_unit": item.promised_limit_unit,
        "status": item.status,
        "version": item.version,
    }


@router.get("/items", response=ItemPage, summary="List published items")
def items_list(
    request: HttpRequest,
    department: int | None = None,
    topic: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    items = item_list_public()
    if department is not None:
        items = items.filter(department_id=department)
    if topic:
        items = items.filter(topics__code=topic)
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    return {
        "count": items.count(),
        "items": [_summary(item) for item in items[offset : offset + limit]],
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemDetail, 404: ErrorOut},
    summary="One item with its materials, fees, steps and guide",
)
def items_get(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = (
        item_list_visible(request.user)
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            "fee_items",
            "steps",
            "faqs",
            "topics",
            "joint_departments",
            "handled_in_regions",
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFoundOrForbidden()
    return {
        "id": item.pk,
        "status": item.status,
        "version": item.version,
        "content": item_snapshot(item),
    }


@router.get(
    "/items/{item_id}/versions/{number}",
    response={200: ItemDetail, 404: ErrorOut},
    summary="An item exactly as it was in one published version",
)
def items_version(request: HttpRequest, item_id: int, number: int) -> dict[str, Any]:
    item = item_list_visible(request.user).filter(pk=item_id).first()
    version = item.versions.filter(number=number).first() if item else None
    if item is None or version is None:
        raise NotFoundOrForbidden()
    return {
        "id": item.pk,
        "status": item.status,
        "version": version.number,
        "content": version.snapshot,
    }


@router.get("/search", response=list[SearchResult], summary="Chinese full-text search")
def search(request: HttpRequest, q: str, limit: int = 20) -> list[dict[str, Any]]:
    hits = item_search(q, limit=max(1, min(limit, 100)))
    return [{"score": round(hit.score, 4), "item": _summary(hit.item)} for hit in hits]


@router.get("/topics", response=list[TopicOut], summary="Life-event topics")
def topics(request: HttpRequest, audience: str | None = None) -> Any:
    return list(topic_list_with_item_counts(audience))


@router.get(
    "/departments", response=list[DepartmentOut], summary="Departments with published items"
)
def departments(request: HttpRequest) -> Any:
    return list(department_list_with_item_counts())


@router.post(
    "/items/{item_id}/publish",
    auth=django_auth,
    response={200: ItemDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Publish a draft item (staff)",
)
def items_publish(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = item_list_visible(request.user).filter(pk=item_id).first()
    if item is None:
        raise NotFoundOrForbidden()
    require(request.user, Action.CATALOG_EDIT, item)
    item_publish(item=item, actor=request.user)
    item.refresh_from_db()
    return {
        "id": item.pk,
        "status": item.status,
        "version": item.version,
        "content": item_snapshot(item),
    }
