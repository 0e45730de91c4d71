"""Public reads of the catalogue: published items, one item (and its published versions),
search, topics and departments. No sign-in needed; a signed-in member of staff also sees the
drafts their grants cover (``item_list_visible``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from onewindow.catalog.api.schemas import (
    DepartmentOut,
    ErrorOut,
    ItemDetail,
    ItemPage,
    SearchResult,
    TopicOut,
    item_detail,
    item_summary,
)
from onewindow.catalog.models import Material
from onewindow.catalog.search import item_search
from onewindow.catalog.selectors import (
    department_list_with_item_counts,
    item_list_public,
    item_list_visible,
    topic_list_with_item_counts,
)
from onewindow.core.errors import NotFoundOrForbidden

router = Router()

MAX_PAGE = 200


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
        "items": [item_summary(item) for item in items[offset : offset + limit]],
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
    return item_detail(item)


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
    return [{"score": round(hit.score, 4), "item": item_summary(hit.item)} for hit in hits]


@router.get("/topics", response=list[TopicOut], summary="Life-event topics")
def topics(request: HttpRequest, audience: str | None = None) -> Any:
    return list(topic_list_with_item_counts(audience))


@router.get(
    "/departments", response=list[DepartmentOut], summary="Departments with published items"
)
def departments(request: HttpRequest) -> Any:
    return list(department_list_with_item_counts())
