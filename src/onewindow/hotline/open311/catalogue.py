"""What the Open311 face offers: the active subcategories of the dispatch catalogue as
services, and one fixed set of attributes (the same for every service), kept here as data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.codes import OrderType, Urgency
from onewindow.hotline.models import DispatchCategory


@dataclass(frozen=True)
class Attribute:
    code: str
    description: object  # a lazy translation
    values: tuple[tuple[str, object], ...]
    default: str
    order: int
    datatype: str = "singlevaluelist"
    required: bool = False


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        code="order_type",
        description=_("Type of call (来电类别)"),
        values=tuple((choice.value, choice.label) for choice in OrderType),
        default=OrderType.HELP,
        order=1,
    ),
    Attribute(
        code="urgency",
        description=_("Urgency (紧急程度)"),
        values=tuple((choice.value, choice.label) for choice in Urgency),
        default=Urgency.NORMAL,
        order=2,
    ),
    Attribute(
        code="confidential",
        description=_("Keep the caller's identity from the handling unit (是否保密)"),
        values=(("false", _("No")), ("true", _("Yes"))),
        default="false",
        order=3,
    ),
)
ATTRIBUTE_CODES = frozenset(attribute.code for attribute in ATTRIBUTES)


def services() -> QuerySet[DispatchCategory]:
    """The active subcategories under an active parent, by code."""
    return (
        DispatchCategory.objects.filter(
            is_active=True, parent__isnull=False, parent__is_active=True
        )
        .select_related("parent")
        .order_by("code")
    )


def service_get(code: str) -> DispatchCategory | None:
    return services().filter(code=code).first()
