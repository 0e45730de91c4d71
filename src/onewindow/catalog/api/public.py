"""Public reads of the catalogue: published items, one item (and its published versions),
search, topics and departments. No sign-in needed; a signed-in member of staff also sees the
drafts their grants cover (``item_list_visible``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Router

from onewindow.catalog.api.schemas import (
    DepartmentOut,
    ItemDetail,
    ItemPage,
    SearchResult,
    TopicOut,
    item_detail,
    item_summary,
)
from onewindow.catalog.models import Material
from onewindow.catalog.search import item_filter, item_search
from onewindow.catalog.selectors import (
    department_list_with_item_counts,
    item_list_public,
    item_list_visible,
    topic_list_with_item_counts,
)
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Limit, Offset, RecordId, Text

router = Router()

MAX_SEARCH = 100
TopicCode = Annotated[Text, Field(max_length=64)]
SearchText = Annotated[Text, Field(min_length=1, max_length=200)]
Audience = Annotated[Text, Field(max_length=32)]


@router.get("/items", response={200: ItemPage, 422: ErrorOut}, summary="List published items")
def items_list(
    request: HttpRequest,
    department: RecordId | None = None,
    topic: TopicCode | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    items = item_list_public()
    if department is not None:
        items = items.filter(department_id=department)
    if topic:
        items = items.filter(topics__code=topic)
    return {
        "count": items.count(),
        "items": [item_summary(item) for item in items[offset : offset + limit]],
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemDetail, 404: ErrorOut},
    summary="One item with its materials, fees, steps and guide",
)
def items_get(request: HttpRequest, item_id: RecordId) -> dict[str, Any]:
    item = (
        item_list_visible(request.user)
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            "fee_items",
            "steps",
            "faqs",
            "form_fields",
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
def items_version(request: HttpRequest, item_id: RecordId, number: RecordId) -> dict[str, Any]:
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


@router.get(
    "/search",
    response={200: list[SearchResult], 422: ErrorOut},
    summary="Chinese full-text search",
)
def search(
    request: HttpRequest,
    q: SearchText,
    limit: Annotated[Limit, Field(le=MAX_SEARCH)] = 20,
    department: RecordId | None = None,
    online: bool | None = None,
    instant: bool | None = None,
) -> list[dict[str, Any]]:
    """Optional filters: the implementing department's id, can be applied for online
    (可网上办), instant item (即办件); each implementation is its own result."""
    items = item_filter(
        item_list_public(), department_id=department, online=online, instant=instant
    )
    hits = item_search(q, limit=limit, items=items)
    return [{"score": round(hit.score, 4), "item": item_summary(hit.item)} for hit in hits]


@router.get("/topics", response={200: list[TopicOut], 422: ErrorOut}, summary="Life-event topics")
def topics(request: HttpRequest, audience: Audience | None = None) -> Any:
    return list(topic_list_with_item_counts(audience))


@router.get(
    "/departments", response=list[DepartmentOut], summary="Departments with published items"
)
def departments(request: HttpRequest) -> Any:
    return list(department_list_with_item_counts())
