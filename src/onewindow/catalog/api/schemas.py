"""Schemas the catalogue API answers with, shared by its public and staff routers.

Field names and code values follow the national implementation list (see STANDARDS.md), so a
provincial platform can read items without a mapping table.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from onewindow.catalog.models import ServiceItem
from onewindow.catalog.services import item_snapshot


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


def item_summary(item: ServiceItem) -> dict[str, Any]:
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


def item_detail(item: ServiceItem) -> dict[str, Any]:
    """An item as it is now, with its whole content."""
    return {
        "id": item.pk,
        "status": item.status,
        "version": item.version,
        "content": item_snapshot(item),
    }
