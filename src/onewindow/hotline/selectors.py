"""Reads of the hotline, scoped to the user: a unit sees the orders it holds (or held, until it
returned them); the hotline centre, the auditor and the administrator see every order. Callers
of a confidential order (是否保密) are never shown to a unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.identifiers import normalise_phone
from onewindow.core.validation import record_id
from onewindow.hotline.models import (
    PHONE_INDEX_CONTEXT,
    OrderCaller,
    OrderUnit,
    WorkOrder,
)
from onewindow.hotline.transitions import AT_UNIT_STATES, OrderState
from onewindow.org.permissions import Action, Scope, can, grants_for

LIST_RELATED = ("category__parent", "lead_unit", "region")


def orders_visible(user: Any, action: Action = Action.HOTLINE_VIEW) -> QuerySet[WorkOrder]:
    grants = grants_for(user, action)
    if not grants:
        return WorkOrder.objects.none()
    if any(g.scope is Scope.ALL for g in grants):
        return WorkOrder.objects.all()
    departments = {g.department_id for g in grants if g.department_id}
    held = OrderUnit.objects.filter(
        order=OuterRef("pk"), department_id__in=departments, returned_at__isnull=True
    )
    return WorkOrder.objects.filter(Exists(held))


def order_get(user: Any, raw_id: Any, action: Action = Action.HOTLINE_VIEW) -> WorkOrder:
    """One order the user may see, by id; otherwise the one "not found" (audited)."""
    pk = record_id(raw_id)
    order = (
        orders_visible(user, action).filter(pk=pk).select_related(*LIST_RELATED).first()
        if pk
        else None
    )
    if order is None:
        audit_record(
            actor=user,
            action=f"denied:{action}",
            object_type="hotline.workorder",
            object_id=str(pk or ""),
            allowed=False,
        )
        raise NotFoundOrForbidden()
    return order


def caller_visible_to(user: Any, order: WorkOrder) -> bool:
    """The hotline centre sees callers; a unit only when the order is not confidential."""
    if can(user, Action.HOTLINE_TAKE, order):
        return True
    return not order.confidential and can(user, Action.HOTLINE_VIEW, order)


def callers_shown(user: Any, order: WorkOrder) -> list[OrderCaller]:
    """The callers as a page may show them (masked), or none for a confidential order at a
    unit."""
    if not caller_visible_to(user, order):
        return []
    return list(order.callers.order_by("id"))


def unit_queue(user: Any) -> QuerySet[WorkOrder]:
    """The orders the user's units hold now, oldest deadline first."""
    departments = {
        g.department_id for g in grants_for(user, Action.HOTLINE_HANDLE) if g.department_id
    }
    held = OrderUnit.objects.filter(
        order=OuterRef("pk"), department_id__in=departments, returned_at__isnull=True
    )
    return (
        WorkOrder.objects.filter(Exists(held), state__in=AT_UNIT_STATES)
        .select_related(*LIST_RELATED)
        .order_by("due_at", "id")
    )


def centre_queue(user: Any, state: str) -> QuerySet[WorkOrder]:
    """The hotline centre's queues: submitted (to accept), to dispatch, replied (to call back)."""
    if not grants_for(user, Action.HOTLINE_TAKE):
        return WorkOrder.objects.none()
    rows = WorkOrder.objects.filter(state=state).select_related(*LIST_RELATED)
    if state == OrderState.REPLIED:
        return rows.order_by("callback_due_at", "id")
    return rows.order_by("received_at", "id")


def phone_index_of(phone: str) -> str | None:
    canonical = normalise_phone(phone or "")
    return crypto.blind_index(canonical, context=PHONE_INDEX_CONTEXT) if canonical else None


def history_for_phone(user: Any, phone: str, *, limit: int = 10) -> dict[str, list[Any]]:
    """A caller's earlier orders and cases, by phone (the same blind index as applicants'):
    for the agent's screen when a call comes in. The look-up is audited (masked)."""
    if not grants_for(user, Action.HOTLINE_TAKE):
        raise NotFoundOrForbidden()
    index = phone_index_of(phone)
    if index is None:
        return {"orders": [], "cases": []}
    from onewindow.cases.models import Case

    orders = list(
        WorkOrder.objects.filter(Q(callers__phone_index=index))
        .distinct()
        .select_related(*LIST_RELATED)
        .order_by("-received_at", "-id")[:limit]
    )
    cases = list(
        Case.objects.filter(
            Q(person__phone_index=index) | Q(organisation__contact_phone_index=index)
        )
        .select_related("item")
        .order_by("-id")[:limit]
    )
    audit_record(
        actor=user,
        action="hotline.caller_history_read",
        detail={
            "phone": crypto.mask_phone(normalise_phone(phone) or ""),
            "orders": len(orders),
            "cases": len(cases),
        },
    )
    return {"orders": orders, "cases": cases}
