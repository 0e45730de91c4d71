"""Dispatch (派单) and the hotline centre's other moves: propose the units from the dispatch
catalogue and from the history of similar orders, dispatch (the handling clock starts, the
sign-for deadline is set), merge a duplicate into the order that is handled, split an order into
child orders for several units, decide extensions, remind (催办), and the daily sweep that issues
supervision orders (督办) the day after a deadline.

A street office is never the lead unit of a matter of a functional department (a category marked
``functional``): the catalogue says who, and dispatch refuses the push-down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.hotline import limits
from onewindow.hotline.codes import ExtensionDecision, UnitKind, UnitRole
from onewindow.hotline.errors import DispatchRefused
from onewindow.hotline.models import (
    MERGED_AWAY,
    DispatchCategory,
    DispatchRule,
    Extension,
    HandlingUnit,
    OrderCaller,
    OrderUnit,
    WorkOrder,
)
from onewindow.hotline.services.common import MACHINE, begin, now_or, text
from onewindow.hotline.transitions import AT_UNIT_STATES, OPEN_STATES, OrderState
from onewindow.org.models import Department
from onewindow.org.permissions import Action, require
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, clock_start, due_after

HISTORY_DAYS = 180


@dataclass
class Proposal:
    """Who should handle an order, and why."""

    category: DispatchCategory | None
    lead: Department | None
    assists: list[Department] = field(default_factory=list)
    # "catalogue" (the dispatch catalogue's rule), "history" (where similar orders went and
    # stayed), or "" (nothing to propose).
    source: str = ""
    history_count: int = 0


def _rule_for(category: DispatchCategory, region_code: str) -> DispatchRule | None:
    rules = list(
        DispatchRule.objects.filter(category=category)
        .select_related("lead", "region")
        .prefetch_related("assists")
    )
    street = region_code[:9] if region_code else ""
    for rule in rules:
        if rule.region is not None and street and rule.region.code[:9] == street:
            return rule
    return next((rule for rule in rules if rule.region_id is None), None)


def category_guess(text_value: str) -> DispatchCategory | None:
    """The category whose keywords the text names most (subcategories only)."""
    best, best_hits = None, 0
    for category in DispatchCategory.objects.filter(is_active=True, parent__isnull=False):
        words = [w for w in category.keywords.split() if w]
        hits = sum(1 for word in [category.name, *words] if word and word in text_value)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def dispatch_propose(*, order: WorkOrder) -> Proposal:
    """The catalogue's rule for the order's category (the street's own rule first); else the
    unit that most often kept similar orders (same category, not returned) lately."""
    category = order.category or category_guess(f"{order.title} {order.content}")
    if category is None:
        return Proposal(category=None, lead=None)
    rule = _rule_for(category, order.region_code)
    if rule is not None:
        return Proposal(
            category=category,
            lead=rule.lead,
            assists=list(rule.assists.all()),
            source="catalogue",
        )
    since = timezone.now() - dt.timedelta(days=HISTORY_DAYS)
    kept = (
        OrderUnit.objects.filter(
            order__category=category,
            role=UnitRole.LEAD,
            returned_at__isnull=True,
            dispatched_at__gte=since,
        )
        .values("department")
        .annotate(n=Count("id"))
        .order_by("-n", "department")
        .first()
    )
    if kept is None:
        return Proposal(category=category, lead=None)
    return Proposal(
        category=category,
        lead=Department.objects.get(pk=kept["department"]),
        source="history",
        history_count=kept["n"],
    )


def _units_check(
    errors: ErrorList, lead_id: Any, assist_ids: Any, category: DispatchCategory | None
) -> tuple[Department | None, list[Department]]:
    lead_pk = record_id(lead_id)
    lead = Department.objects.filter(pk=lead_pk, is_active=True).first() if lead_pk else None
    if lead is None:
        errors.add("lead", "required", _("Choose the lead unit (主办单位)."))
    assists: list[Department] = []
    for raw in assist_ids or ():
        pk = record_id(raw)
        unit = Department.objects.filter(pk=pk, is_active=True).first() if pk else None
        if unit is None:
            errors.add("assists", "unknown", _("An assisting unit chosen does not exist."))
        elif lead is not None and unit.pk == lead.pk:
            errors.add("assists", "lead_twice", _("The lead unit cannot also assist."))
        elif unit not in assists:
            assists.append(unit)
    if lead is not None and category is not None and category.functional:
        kind = HandlingUnit.objects.filter(department=lead).values_list("kind", flat=True).first()
        if kind == UnitKind.STREET:
            errors.add(
                "lead",
                "street_for_functional",
                _(
                    "%(category)s is a matter of a functional department: it is not pushed down to "
                    "a street office (%(unit)s). Dispatch it to the department the catalogue names."
                ),
                category=category.name,
                unit=lead.name,
            )
    return lead, assists


def order_dispatch(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    lead_id: Any,
    assist_ids: Any = (),
    category_code: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """派单: the lead unit (and assisting units) get the order; the handling clock starts on the
    limit of its type and urgency (again from zero after a return); the units must sign for it
    within ``HOTLINE_SIGN_WORKING_DAYS``."""
    require(actor, MACHINE.permission_for("dispatch"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "dispatch", expected_revision)
        errors = ErrorList()
        category = row.category
        if category_code:
            category = DispatchCategory.objects.filter(code=category_code, is_active=True).first()
            if category is None:
                errors.add("category", "unknown", _("No such category in the dispatch catalogue."))
        if category is None:
            errors.add("category", "required", _("Choose the category before dispatching."))
        lead, assists = _units_check(errors, lead_id, assist_ids, category)
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The order is not dispatched; correct the marked fields."))
        assert lead is not None and category is not None
        row.category = category
        limit, unit = limits.handling_limit(order_type=row.order_type, urgency=row.urgency)
        clock_start(row, limit=limit, unit=unit, now=now)
        sign_due = due_after(now, limits.sign_working_days(), TimeUnit.WORKING_DAY)
        row.lead_unit, row.dispatched_at, row.sign_due_at, row.signed_at = lead, now, sign_due, None
        OrderUnit.objects.create(
            order=row,
            department=lead,
            role=UnitRole.LEAD,
            dispatched_at=now,
            dispatched_by=actor,
            note=note,
            sign_due_at=sign_due,
        )
        for unit_row in assists:
            OrderUnit.objects.create(
                order=row,
                department=unit_row,
                role=UnitRole.ASSIST,
                dispatched_at=now,
                dispatched_by=actor,
                note=note,
                sign_due_at=sign_due,
            )
        mover.move(
            MACHINE,
            row,
            "dispatch",
            actor=actor,
            now=now,
            reason=note,
            data={
                "lead": lead.pk,
                "assists": [a.pk for a in assists],
                "category": category.code,
                "due_at": row.due_at.isoformat() if row.due_at else None,
                "redispatch": row.returns_count > 0,
            },
        )
    return row


# --- duplicates ---------------------------------------------------------------------------------


def _bigrams(value: str) -> set[str]:
    compact = "".join(ch for ch in value if not ch.isspace())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams (works on Chinese without segmenting)."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


DUPLICATE_SIMILARITY = 0.35
DUPLICATE_DAYS = 30


@dataclass(frozen=True)
class DuplicateCandidate:
    order: WorkOrder
    score: float
    same_caller: bool
    same_place: bool


def duplicate_candidates(*, order: WorkOrder, limit: int = 5) -> list[DuplicateCandidate]:
    """Open orders of the last ``DUPLICATE_DAYS`` days that look like the same matter: the same
    caller, or the same place or street, and similar text. Proposed; an agent confirms."""
    since = order.received_at - dt.timedelta(days=DUPLICATE_DAYS)
    phones = set(
        OrderCaller.objects.filter(order=order)
        .exclude(phone_index="")
        .values_list("phone_index", flat=True)
    )
    near = Q(region_code=order.region_code) if order.region_code else Q(pk__in=[])
    if order.place:
        near |= Q(place=order.place)
    if phones:
        near |= Q(callers__phone_index__in=phones)
    if order.category_id:
        near |= Q(category_id=order.category_id)
    queryset = (
        WorkOrder.objects.filter(
            near, state__in=OPEN_STATES - {OrderState.SPLIT}, received_at__gte=since
        )
        .exclude(pk=order.pk)
        .distinct()
        .order_by("-received_at")[:200]
    )
    rows = list(queryset.prefetch_related("callers"))
    own = f"{order.title} {order.content} {order.place}"
    found = []
    for other in rows:
        score = similarity(own, f"{other.title} {other.content} {other.place}")
        same_caller = bool(phones & {c.phone_index for c in other.callers.all() if c.phone_index})
        same_place = bool(order.place and order.place == other.place)
        if same_caller:
            score += 0.2
        if same_place:
            score += 0.2
        if score >= DUPLICATE_SIMILARITY:
            found.append(
                DuplicateCandidate(other, round(min(score, 1.0), 3), same_caller, same_place)
            )
    found.sort(key=lambda c: (-c.score, -c.order.pk))
    return found[:limit]


def order_merge(
    *,
    actor: Any,
    duplicate: WorkOrder,
    into: WorkOrder,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Merge ``duplicate`` into ``into`` (合并, confirmed by an agent): the duplicate is closed as
    merged, its callers join ``into`` and are answered with it."""
    require(actor, MACHINE.permission_for("merge"), duplicate, hide=True)
    require(actor, MACHINE.permission_for("merge"), into, hide=True)
    now = now_or(now)
    if duplicate.pk == into.pk:
        raise DispatchRefused(_("An order cannot be merged into itself."))
    with transaction.atomic():
        # Lock in id order, so two agents merging a pair opposite ways cannot deadlock.
        first, second = sorted([duplicate, into], key=lambda o: o.pk)
        locked = {o.pk: mover.lock(MACHINE, o) for o in (first, second)}
        row, target = locked[duplicate.pk], locked[into.pk]
        mover.check_revision(MACHINE, row, expected_revision)
        if expected_revision is None:
            raise MACHINE.stale()
        if MACHINE.target("merge", row.state) is None:
            raise MACHINE.not_allowed(action="merge", state=MACHINE.state_label(row.state))
        # Into an order still being handled only: one already replied would never tell the
        # newcomers its reply.
        mergeable = OPEN_STATES - {OrderState.SPLIT, OrderState.REPLIED}
        if target.state not in mergeable or target.merged_into_id:
            raise DispatchRefused(
                _("Order %(number)s is %(state)s: merge into an order still being handled."),
                number=target.number,
                state=MACHINE.state_label(target.state),
            )
        moved = list(OrderCaller.objects.filter(order=row).values_list("pk", flat=True))
        OrderCaller.objects.filter(order=row).update(order=target)
        OrderUnit.objects.filter(order=row, returned_at__isnull=True).update(
            returned_at=now, return_reason=MERGED_AWAY
        )
        extensions_withdraw(order=row, now=now)
        # The callers who came with the duplicate keep what they asked for: kept from the
        # unit (是否保密) and answered (是否回复) — for the whole order, never less.
        target.confidential = target.confidential or row.confidential
        target.wants_reply = target.wants_reply or row.wants_reply
        row.merged_into, row.closed_at = target, now
        mover.move(
            MACHINE,
            row,
            "merge",
            actor=actor,
            now=now,
            data={"into": target.number, "callers": moved},
        )
        mover.record(
            MACHINE,
            target,
            "merged_in",
            actor=actor,
            now=now,
            public=False,
            data={"duplicate": row.number, "callers": moved},
        )
        mover.bump(MACHINE, target)
        audit_record(
            actor=actor,
            action="hotline.order_merged_in",
            obj=target,
            detail={"duplicate": row.number},
        )
    return target


# --- split --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitPart:
    title: str
    content: str
    category_code: str
    lead_id: Any
    assist_ids: tuple[Any, ...] = ()


def order_split(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    parts: list[SplitPart],
    now: dt.datetime | None = None,
) -> list[WorkOrder]:
    """One report, several matters (拆分): a child order per part, each dispatched to its unit at
    once, with the callers of the parent; the parent closes when every child has."""
    require(actor, MACHINE.permission_for("split"), order, hide=True)
    from onewindow.hotline.services.intake import OrderInput, _order_new, order_input_check

    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "split", expected_revision)
        errors = ErrorList()
        if not 2 <= len(parts) <= 10:
            errors.add("parts", "count", _("Split into between 2 and 10 orders."))
        checked_parts = []
        for index, part in enumerate(parts):
            part_errors = ErrorList()
            checked = order_input_check(
                OrderInput(
                    order_type=row.order_type,
                    urgency=row.urgency,
                    title=part.title,
                    content=part.content,
                    category_code=part.category_code,
                    place=row.place,
                    region_code=row.region_code,
                    wants_reply=row.wants_reply,
                    confidential=row.confidential,
                ),
                part_errors,
            )
            if checked.category is None:
                part_errors.add(
                    "category", "required", _("Choose the category before dispatching.")
                )
            _units_check(part_errors, part.lead_id, part.assist_ids, checked.category)
            for problem in part_errors:
                errors.add(
                    f"parts.{index}.{problem.field}",
                    problem.code,
                    problem.message,
                    **problem.params,
                )
            checked_parts.append(checked)
        errors.raise_if_any(_("The order is not split; correct the marked fields."))
        mover.move(MACHINE, row, "split", actor=actor, now=now, data={"parts": len(parts)})
        children = []
        callers = list(OrderCaller.objects.filter(order=row))
        for checked in checked_parts:
            child = _order_new(checked, channel=row.channel, now=now)
            child.parent, child.taken_by, child.taken_at = row, row.taken_by, now
            child.case_id, child.item_id = row.case_id, row.item_id
            child.latitude, child.longitude = row.latitude, row.longitude
            mover.move(
                MACHINE,
                child,
                "take",
                actor=actor,
                now=now,
                data={"split_from": row.number},
                public=False,
            )
            for caller in callers:
                OrderCaller.objects.create(
                    order=child,
                    first_order=row,
                    anonymous=caller.anonymous,
                    name=caller.name,
                    phone_encrypted=caller.phone_encrypted,
                    phone_index=caller.phone_index,
                    phone_masked=caller.phone_masked,
                    id_number_encrypted=caller.id_number_encrypted,
                    id_number_index=caller.id_number_index,
                    id_number_masked=caller.id_number_masked,
                    address_encrypted=caller.address_encrypted,
                    account=caller.account,
                )
            children.append(child)
        # Dispatched in the split's transaction: a unit or category gone meanwhile refuses the
        # whole split, never leaves a split parent with children nobody holds.
        for child, part in zip(children, parts, strict=True):
            order_dispatch(
                actor=actor,
                order=child,
                expected_revision=child.revision,
                lead_id=part.lead_id,
                assist_ids=part.assist_ids,
                now=now,
            )
    return [WorkOrder.objects.get(pk=child.pk) for child in children]


def split_parent_close_if_done(*, child: WorkOrder, now: dt.datetime) -> None:
    """Inside the child's closing transaction: the parent closes once every child is closed."""
    if child.parent_id is None:
        return
    parent = mover.lock(MACHINE, WorkOrder(pk=child.parent_id))
    if parent.state != OrderState.SPLIT:
        return
    # A child merged into another order is answered there: done, like a closed one.
    done = {OrderState.CLOSED, OrderState.MERGED}
    if parent.children.exclude(state__in=done).exclude(pk=child.pk).exists():
        return
    parent.closed_at, parent.closure = now, "children"
    mover.move(MACHINE, parent, "close_split", actor=None, now=now)
    # A split child split again: its parent may now close in turn.
    split_parent_close_if_done(child=parent, now=now)


def extensions_withdraw(*, order: WorkOrder, now: dt.datetime) -> int:
    """Inside a move that takes the order from its unit (return, reply, merge): the unit's
    pending extension request is closed undecided — it never moves a later deadline."""
    return Extension.objects.filter(order=order, decision=ExtensionDecision.PENDING).update(
        decision=ExtensionDecision.REJECTED,
        decided_at=now,
        decision_note=WITHDRAWN_NOTE,
    )


WITHDRAWN_NOTE = "withdrawn: the order left the unit before a decision"


# --- extensions, reminders, supervision -----------------------------------------------------------


def extension_decide(
    *,
    actor: Any,
    extension_id: Any,
    approve: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> Extension:
    """The hotline centre approves (the deadline moves by the working days asked for) or rejects
    a unit's extension request."""
    require(actor, Action.HOTLINE_SUPERVISE, hide=False)
    now = now_or(now)
    pk = record_id(extension_id)
    with transaction.atomic():
        extension = (
            Extension.objects.select_for_update()
            .filter(pk=pk, decision=ExtensionDecision.PENDING)
            .first()
            if pk
            else None
        )
        if extension is None:
            raise NotFoundOrForbidden()
        order = mover.lock(MACHINE, extension.order)
        errors = ErrorList()
        note = text(
            errors,
            "decision_note",
            note,
            required=not approve,
            max_length=1000,
            missing=_("Say why the extension is rejected."),
        )
        errors.raise_if_any(_("The decision is not recorded; correct the marked fields."))
        extension.decision = ExtensionDecision.APPROVED if approve else ExtensionDecision.REJECTED
        extension.decided_by, extension.decided_at, extension.decision_note = actor, now, note
        extension.save()
        if order.state not in AT_UNIT_STATES or order.lead_unit_id != extension.department_id:
            # The unit that asked no longer holds the order (returned, replied, merged).
            raise NotFoundOrForbidden()
        if approve and order.due_at is not None:
            order.due_at = due_after(order.due_at, extension.working_days, TimeUnit.WORKING_DAY)
            order.extension_count += 1
            order.supervised_at = None
        mover.record(
            MACHINE,
            order,
            "extend_approve" if approve else "extend_reject",
            actor=actor,
            now=now,
            reason=note,
            public=False,
            data={
                "working_days": extension.working_days,
                "due_at": order.due_at.isoformat() if order.due_at else None,
            },
        )
        mover.bump(MACHINE, order)
        audit_record(
            actor=actor,
            action="hotline.extension_decide",
            obj=order,
            detail={"extension": extension.pk, "approved": approve},
        )
    return extension


def order_remind(
    *,
    actor: Any,
    order: WorkOrder,
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """催办: the hotline centre presses the unit that holds the order."""
    require(actor, Action.HOTLINE_SUPERVISE, order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = mover.lock(MACHINE, order)
        if row.state not in AT_UNIT_STATES:
            raise MACHINE.not_allowed(action="remind", state=MACHINE.state_label(row.state))
        errors = ErrorList()
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The reminder is not sent; correct the marked fields."))
        row.reminder_count += 1
        mover.record(
            MACHINE,
            row,
            "remind",
            actor=actor,
            now=now,
            reason=note,
            public=False,
            data={"unit": row.lead_unit_id},
        )
        mover.bump(MACHINE, row)
    return row


def supervision_sweep(*, now: dt.datetime | None = None) -> int:
    """Every day: a supervision order (督办) for each order still at its unit the day after its
    deadline, once; a reminder for each order not signed for by its sign-for deadline, once.
    Returns how many orders it acted on. A rerun acts on none."""
    now = now_or(now)
    today = timezone.localtime(now).date()
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    count = 0
    overdue = WorkOrder.objects.filter(
        state__in=AT_UNIT_STATES, due_at__lt=start_of_today, supervised_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(overdue[:1000]):
        with transaction.atomic():
            row = mover.lock(MACHINE, WorkOrder(pk=pk))
            if (
                row.state not in AT_UNIT_STATES
                or row.supervised_at
                or not row.due_at
                or (row.due_at >= start_of_today)
            ):
                continue
            row.supervised_at = now
            mover.record(
                MACHINE,
                row,
                "supervise",
                actor=None,
                now=now,
                public=False,
                data={"unit": row.lead_unit_id, "due_at": row.due_at.isoformat()},
            )
            mover.bump(MACHINE, row)
            count += 1
    unsigned = WorkOrder.objects.filter(
        state=OrderState.DISPATCHED, sign_due_at__lt=now, reminder_count=0
    ).values_list("pk", flat=True)
    for pk in list(unsigned[:1000]):
        with transaction.atomic():
            row = mover.lock(MACHINE, WorkOrder(pk=pk))
            if (
                row.state != OrderState.DISPATCHED
                or row.reminder_count
                or not row.sign_due_at
                or (row.sign_due_at >= now)
            ):
                continue
            row.reminder_count += 1
            mover.record(
                MACHINE,
                row,
                "remind",
                actor=None,
                now=now,
                public=False,
                data={"unit": row.lead_unit_id, "sign_due_at": row.sign_due_at.isoformat()},
            )
            mover.bump(MACHINE, row)
            count += 1
    return count


__all__ = [
    "DuplicateCandidate",
    "Proposal",
    "SplitPart",
    "category_guess",
    "dispatch_propose",
    "duplicate_candidates",
    "extension_decide",
    "order_dispatch",
    "order_merge",
    "order_remind",
    "order_split",
    "similarity",
    "split_parent_close_if_done",
    "supervision_sweep",
]
