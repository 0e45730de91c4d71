"""Reads of grid management."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from onewindow.urban.codes import CaseKind
from onewindow.urban.models import Category, CategoryStage, CategoryUnit


@dataclass(frozen=True)
class KindCatalogue:
    kind: str
    label: Any
    majors: list[Category]  # each with ``children`` (subclasses, stages and units prefetched)


def category_catalogue() -> list[KindCatalogue]:
    """Every category by kind (部件, then 事件) and major class, each subclass with its stages
    in order and its units (department and street). Four queries, whatever the number."""
    subclasses = Category.objects.order_by("code").prefetch_related(
        Prefetch("stages", queryset=CategoryStage.objects.order_by("order")),
        Prefetch(
            "units",
            queryset=CategoryUnit.objects.select_related("department", "region").order_by(
                "order", "region__code", "department__name"
            ),
        ),
    )
    majors = list(
        Category.objects.filter(parent__isnull=True)
        .order_by("code")
        .prefetch_related(Prefetch("children", queryset=subclasses))
    )
    return [
        KindCatalogue(kind, label, [m for m in majors if m.kind == kind])
        for kind, label in CaseKind.choices
    ]
