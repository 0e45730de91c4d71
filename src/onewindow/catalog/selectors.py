"""Reads for the catalogue."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from onewindow.catalog.codes import Audience, ItemStatus
from onewindow.catalog.models import LifeEventTopic, Material, ServiceItem, ServiceItemVersion
from onewindow.org.models import Department, ServiceCentre
from onewindow.org.permissions import Action, can, scope_queryset


def item_list_public() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department")


def item_list_visible(user: Any) -> QuerySet[ServiceItem]:
    """Published items for everyone; drafts and cancelled ones within the user's scope."""
    public = Q(status=ItemStatus.PUBLISHED)
    if not can(user, Action.CATALOG_VIEW_DRAFT):
        return ServiceItem.objects.filter(public).select_related("department")
    scoped = scope_queryset(
        user, Action.CATALOG_VIEW_DRAFT, ServiceItem.objects.all(), department_path="department_id"
    )
    return ServiceItem.objects.filter(public | Q(pk__in=scoped.values("pk"))).select_related(
        "department"
    )


def item_get_for_page(*, item_id: int, user: Any) -> ServiceItem | None:
    return (
        item_list_visible(user)
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


def department_list_with_item_counts() -> QuerySet[Department]:
    return (
        Department.objects.filter(is_active=True)
        .annotate(item_count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED)))
        .filter(item_count__gt=0)
        .order_by("name")
    )


def topic_list_with_item_counts(audience: str | None = None) -> QuerySet[LifeEventTopic]:
    topics = LifeEventTopic.objects.annotate(
        item_count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
    )
    if audience in Audience.values:
        topics = topics.filter(audience=audience)
    return topics.order_by("audience", "order", "code")


def item_accepted_at(*, item: ServiceItem, centre: ServiceCentre) -> bool:
    """通办范围: may a window of ``centre`` accept ``item``?

    The centre's level must be one the item lists, and when the item names regions the centre
    must lie in one of them (or below it).
    """
    if centre.level not in (item.handled_at_levels or []):
        return False
    regions = list(item.handled_in_regions.all())
    if not regions:
        return True
    return any(centre.region.code.startswith(region.prefix) for region in regions)


def form_fields_of(version: ServiceItemVersion) -> list[dict[str, Any]]:
    """The online application form of a published version, in its order: the field dicts of
    ``formschema.field_as_dict``, to render and to pass to ``formschema.answers_clean``.
    Empty for a version recorded before items had forms (or an item without one)."""
    fields = (version.snapshot or {}).get("form_fields") or []
    return sorted((dict(f) for f in fields), key=lambda f: f.get("order") or 0)
