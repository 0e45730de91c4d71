"""Taking a matter in (受理): an agent on the phone accepts it for dispatch, answers it at once
from the knowledge base (直接答复), or records why it is not accepted; the web, the citizen
account, Open311 and a bad rating submit it, and an agent then decides the same three ways.

Input is checked at the edge (``order_input_check``, ``caller_input_check``): every problem is
collected and refused together, and a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.services import query_code_new
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.core.identifiers import check_phone, check_resident_id
from onewindow.hotline.codes import Channel, NotAccepted, OrderType, Urgency
from onewindow.hotline.models import (
    CALLER_ADDRESS_CONTEXT,
    CALLER_ID_NUMBER_CONTEXT,
    CALLER_PHONE_CONTEXT,
    ID_NUMBER_INDEX_CONTEXT,
    PHONE_INDEX_CONTEXT,
    Closure,
    DispatchCategory,
    OrderCaller,
    WorkOrder,
)
from onewindow.hotline.services.common import (
    MACHINE,
    begin,
    now_or,
    order_number_next,
    text,
)
from onewindow.org.models import Region
from onewindow.org.permissions import require
from onewindow.workflow import mover

TITLE_MAX_LENGTH = 120
PLACE_MAX_LENGTH = 255
NAME_MAX_LENGTH = 64
INVALID_ORDER = _("The work order is not saved; correct the marked fields.")


@dataclass(frozen=True)
class OrderInput:
    """What the matter is, as typed (checked by ``order_input_check``)."""

    order_type: str
    title: str
    content: str
    urgency: str = Urgency.NORMAL
    category_code: str = ""
    place: str = ""
    region_code: str = ""
    latitude: Any = None
    longitude: Any = None
    wants_reply: bool = True
    confidential: bool = False


@dataclass(frozen=True)
class CallerInput:
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class CheckedOrder:
    order_type: str
    urgency: str
    title: str
    content: str
    category: DispatchCategory | None
    place: str
    region: Region | None
    latitude: decimal.Decimal | None
    longitude: decimal.Decimal | None
    wants_reply: bool
    confidential: bool


@dataclass(frozen=True)
class CheckedCaller:
    name: str
    phone: str
    id_number: str
    address: str
    anonymous: bool


def _coordinate(errors: ErrorList, name: str, value: Any, bound: int) -> decimal.Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        errors.add(name, "invalid", _("Give the coordinate as a decimal number of degrees."))
        return None
    if not number.is_finite() or abs(number) > bound:
        errors.add(
            name,
            "out_of_range",
            _("A coordinate must lie between -%(bound)s and %(bound)s."),
            bound=bound,
        )
        return None
    return number.quantize(decimal.Decimal("0.000001"))


def order_input_check(data: OrderInput, errors: ErrorList) -> CheckedOrder:
    """Every field of the matter checked; the problems go to ``errors``."""
    if data.order_type not in OrderType.values:
        errors.add("order_type", "invalid_choice", _("Choose the type of call."))
    if data.urgency not in Urgency.values:
        errors.add("urgency", "invalid_choice", _("Choose the urgency."))
    title = text(
        errors,
        "title",
        data.title,
        max_length=TITLE_MAX_LENGTH,
        multiline=False,
        missing=_("Write the subject in a few words."),
    )
    content = text(errors, "content", data.content, missing=_("Write what the caller said."))
    place = text(
        errors,
        "place",
        data.place,
        required=False,
        max_length=PLACE_MAX_LENGTH,
        multiline=False,
    )
    category = None
    code = text(
        errors, "category", data.category_code, required=False, max_length=16, multiline=False
    )
    if code:
        category = DispatchCategory.objects.filter(code=code, is_active=True).first()
        if category is None:
            errors.add("category", "unknown", _("No such category in the dispatch catalogue."))
    region = None
    region_code = text(
        errors, "region", data.region_code, required=False, max_length=12, multiline=False
    )
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors.add("region", "unknown", _("No such street or community."))
    latitude = _coordinate(errors, "latitude", data.latitude, 90)
    longitude = _coordinate(errors, "longitude", data.longitude, 180)
    if (latitude is None) != (longitude is None):
        errors.add("latitude", "incomplete", _("Give both latitude and longitude, or neither."))
    return CheckedOrder(
        order_type=data.order_type,
        urgency=data.urgency,
        title=title,
        content=content,
        category=category,
        place=place,
        region=region,
        latitude=latitude,
        longitude=longitude,
        wants_reply=bool(data.wants_reply),
        confidential=bool(data.confidential),
    )


def caller_input_check(data: CallerInput, errors: ErrorList) -> CheckedCaller:
    """An anonymous caller gives nothing; a named one at least a phone to be answered on."""
    name = text(
        errors,
        "caller_name",
        data.name,
        required=False,
        max_length=NAME_MAX_LENGTH,
        multiline=False,
    )
    address = text(
        errors,
        "caller_address",
        data.address,
        required=False,
        max_length=PLACE_MAX_LENGTH,
        multiline=False,
    )
    phone = check_phone(errors, phone=data.phone or "", field="caller_phone")
    id_number = ""
    if (data.id_number or "").strip():
        id_number = check_resident_id(errors, id_number=data.id_number, field="caller_id_number")
    if data.anonymous and (name or phone or id_number or address):
        errors.add(
            "anonymous",
            "anonymous_with_details",
            _(
                "An anonymous caller leaves no name, phone, ID or address; untick anonymous or "
                "clear them."
            ),
        )
    return CheckedCaller(
        name=name,
        phone=phone,
        id_number=id_number,
        address=address,
        anonymous=bool(data.anonymous),
    )


def _order_new(
    checked: CheckedOrder, *, channel: str, now: dt.datetime, source_key: str | None = None
) -> WorkOrder:
    order = WorkOrder(
        channel=channel,
        order_type=checked.order_type,
        urgency=checked.urgency,
        category=checked.category,
        title=checked.title,
        content=checked.content,
        place=checked.place,
        region=checked.region,
        region_code=checked.region.code if checked.region else "",
        latitude=checked.latitude,
        longitude=checked.longitude,
        wants_reply=checked.wants_reply,
        confidential=checked.confidential,
        source_key=source_key,
        received_at=now,
        state="",
    )
    order.query_code_set(query_code_new())
    order.number = order_number_next(today=timezone.localtime(now).date())
    return order


def caller_add(
    order: WorkOrder,
    caller: CheckedCaller,
    *,
    first_order: WorkOrder | None = None,
    account: Any = None,
) -> OrderCaller:
    row = OrderCaller(
        order=order,
        first_order=first_order or order,
        anonymous=caller.anonymous,
        name=caller.name,
        account=account,
    )
    if caller.phone:
        row.phone_encrypted = crypto.encrypt(caller.phone, context=CALLER_PHONE_CONTEXT)
        row.phone_index = crypto.blind_index(caller.phone, context=PHONE_INDEX_CONTEXT)
        row.phone_masked = crypto.mask_phone(caller.phone)
    if caller.id_number:
        row.id_number_encrypted = crypto.encrypt(caller.id_number, context=CALLER_ID_NUMBER_CONTEXT)
        row.id_number_index = crypto.blind_index(caller.id_number, context=ID_NUMBER_INDEX_CONTEXT)
        row.id_number_masked = crypto.mask_id_number(caller.id_number)
    if caller.address:
        row.address_encrypted = crypto.encrypt(caller.address, context=CALLER_ADDRESS_CONTEXT)
    row.save()
    return row


def _checked(data: OrderInput, caller: CallerInput) -> tuple[CheckedOrder, CheckedCaller]:
    errors = ErrorList()
    checked = order_input_check(data, errors)
    checked_caller = caller_input_check(caller, errors)
    errors.raise_if_any(INVALID_ORDER)
    return checked, checked_caller


def _reason_check(reason: str, note: str) -> str:
    errors = ErrorList()
    if reason not in NotAccepted.values:
        errors.add("not_accepted", "invalid_choice", _("Choose why the matter is not accepted."))
    note = text(errors, "note", note, required=False, max_length=1000)
    errors.raise_if_any(_("The refusal is not recorded; correct the marked fields."))
    return note


def _answer_check(
    answer: str, article_code: str, article_version: Any
) -> tuple[str, str, int | None]:
    errors = ErrorList()
    answer = text(errors, "answer", answer, missing=_("Write the answer given to the caller."))
    code = text(errors, "article", article_code, required=False, max_length=16, multiline=False)
    version = None
    if article_version not in (None, ""):
        try:
            version = int(article_version)
        except (TypeError, ValueError):
            errors.add("article_version", "invalid", _("The article version must be a number."))
        else:
            if not 1 <= version <= 100000:
                errors.add("article_version", "invalid", _("The article version must be a number."))
                version = None
    if code and not errors:
        from onewindow.knowledge.models import ArticleVersion

        if (
            version is None
            or not ArticleVersion.objects.filter(
                article__code=code, number=version, article__state="published"
            ).exists()
        ):
            errors.add(
                "article", "unknown", _("No such version of a knowledge article; choose it again.")
            )
    errors.raise_if_any(_("The answer is not recorded; correct the marked fields."))
    return answer, code, version


def order_take(
    *,
    actor: Any,
    data: OrderInput,
    caller: CallerInput,
    channel: str = Channel.PHONE,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """An agent accepts a call for dispatch (受理): the order waits in the dispatch queue; the
    agent is its first-contact agent (首接负责制)."""
    require(actor, MACHINE.permission_for("take"), hide=False)
    now = now_or(now)
    checked, checked_caller = _checked(data, caller)
    with transaction.atomic():
        order = _order_new(checked, channel=channel, now=now)
        order.taken_by, order.taken_at = actor, now
        mover.move(MACHINE, order, "take", actor=actor, now=now)
        caller_add(order, checked_caller)
    return order


def order_answer(
    *,
    actor: Any,
    data: OrderInput,
    caller: CallerInput,
    answer: str,
    article_code: str = "",
    article_version: Any = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Answered on the call (直接答复) — from a knowledge article when one fitted: closed at
    once, counted toward 首呼解决率."""
    require(actor, MACHINE.permission_for("answer"), hide=False)
    now = now_or(now)
    checked, checked_caller = _checked(data, caller)
    answer, code, version = _answer_check(answer, article_code, article_version)
    with transaction.atomic():
        order = _order_new(checked, channel=Channel.PHONE, now=now)
        _answered(order, actor=actor, now=now, answer=answer, code=code, version=version)
        mover.move(
            MACHINE,
            order,
            "answer",
            actor=actor,
            now=now,
            reason=answer,
            data={"article": code, "version": version},
        )
        caller_add(order, checked_caller)
    return order


def _answered(
    order: WorkOrder, *, actor: Any, now: dt.datetime, answer: str, code: str, version: int | None
) -> None:
    order.taken_by, order.taken_at = actor, now
    order.answer, order.answer_article, order.answer_article_version = answer, code, version
    order.closed_at, order.closure = now, Closure.DIRECT_ANSWER


def order_refuse(
    *,
    actor: Any,
    data: OrderInput,
    caller: CallerInput,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Not accepted (不予受理), with the reason: another procedure has it, or an emergency was
    referred to 110/119/120/122."""
    require(actor, MACHINE.permission_for("refuse"), hide=False)
    now = now_or(now)
    checked, checked_caller = _checked(data, caller)
    note = _reason_check(reason, note)
    with transaction.atomic():
        order = _order_new(checked, channel=Channel.PHONE, now=now)
        order.taken_by, order.taken_at, order.not_accepted = actor, now, reason
        order.closed_at = now
        mover.move(
            MACHINE,
            order,
            "refuse",
            actor=actor,
            now=now,
            reason=note,
            data={"not_accepted": reason},
        )
        caller_add(order, checked_caller)
    return order


def order_submit(
    *,
    data: OrderInput,
    caller: CallerInput,
    channel: str,
    source_key: str | None = None,
    account: Any = None,
    now: dt.datetime | None = None,
) -> tuple[WorkOrder, bool]:
    """A matter from the web, the citizen account, Open311 or a bad rating (the platform's
    move): waits for an agent to accept it. ``source_key`` (unique) makes a repeat of the same
    submission return the order it made: ``(order, created)``."""
    if channel not in Channel.values or channel == Channel.PHONE:
        raise ValueError(f"not a submitting channel: {channel!r}")
    now = now_or(now)
    checked, checked_caller = _checked(data, caller)
    if source_key:
        existing = WorkOrder.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing, False
    with transaction.atomic():
        order = _order_new(checked, channel=channel, now=now, source_key=source_key)
        mover.move(MACHINE, order, "submit", actor=None, now=now, data={"channel": channel})
        caller_add(order, checked_caller, account=account)
    return order, True


# --- deciding on a submitted order -------------------------------------------------------------


def submitted_take(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    order_type: str | None = None,
    urgency: str | None = None,
    category_code: str | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """An agent accepts a submitted order, correcting its type, urgency or category."""
    require(actor, MACHINE.permission_for("take"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "take", expected_revision)
        errors = ErrorList()
        if order_type is not None:
            if order_type not in OrderType.values:
                errors.add("order_type", "invalid_choice", _("Choose the type of call."))
            row.order_type = order_type
        if urgency is not None:
            if urgency not in Urgency.values:
                errors.add("urgency", "invalid_choice", _("Choose the urgency."))
            row.urgency = urgency
        if category_code:
            row.category = DispatchCategory.objects.filter(
                code=category_code, is_active=True
            ).first()
            if row.category is None:
                errors.add("category", "unknown", _("No such category in the dispatch catalogue."))
        errors.raise_if_any(INVALID_ORDER)
        row.taken_by, row.taken_at = actor, now
        mover.move(MACHINE, row, "take", actor=actor, now=now)
    return row


def submitted_answer(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    answer: str,
    article_code: str = "",
    article_version: Any = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    require(actor, MACHINE.permission_for("answer"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "answer", expected_revision)
        answer, code, version = _answer_check(answer, article_code, article_version)
        _answered(row, actor=actor, now=now, answer=answer, code=code, version=version)
        mover.move(
            MACHINE,
            row,
            "answer",
            actor=actor,
            now=now,
            reason=answer,
            data={"article": code, "version": version},
        )
    return row


def submitted_refuse(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    reason: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    require(actor, MACHINE.permission_for("refuse"), order, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(order, "refuse", expected_revision)
        note = _reason_check(reason, note)
        row.taken_by, row.taken_at, row.not_accepted, row.closed_at = actor, now, reason, now
        mover.move(
            MACHINE, row, "refuse", actor=actor, now=now, reason=note, data={"not_accepted": reason}
        )
    return row


def caller_phone_reveal(*, actor: Any, caller: OrderCaller, purpose: str) -> str:
    """The caller's phone in clear, for a call-back: an audited read, refused to a unit when
    the order is confidential."""
    from onewindow.hotline.selectors import caller_visible_to

    order = caller.order
    require(actor, MACHINE.permission_for("close"), order, hide=True)
    if not caller_visible_to(actor, order):
        audit_record(actor=actor, action="hotline.caller_phone_read", obj=order, allowed=False)
        from onewindow.core.errors import NotFoundOrForbidden

        raise NotFoundOrForbidden()
    audit_record(
        actor=actor,
        action="hotline.caller_phone_read",
        obj=order,
        detail={"caller": caller.pk, "phone": caller.phone_masked, "purpose": purpose},
    )
    if not caller.phone_encrypted:
        return ""
    return crypto.decrypt(caller.phone_encrypted, context=CALLER_PHONE_CONTEXT)


__all__ = [
    "CallerInput",
    "OrderInput",
    "caller_add",
    "caller_input_check",
    "caller_phone_reveal",
    "order_answer",
    "order_input_check",
    "order_refuse",
    "order_submit",
    "order_take",
    "submitted_answer",
    "submitted_refuse",
    "submitted_take",
]
