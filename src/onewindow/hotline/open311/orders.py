"""A posted Open311 request becomes a work order (``order_submit``, channel ``open311``; an agent
accepts it later), and what the face tells of one: public fields only — never a caller's name,
phone, ID or address, never the caller's own text (docs/adr/0022-open311.md)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.validation import has_control_characters
from onewindow.hotline.codes import Channel
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import HandlingReply, Open311Client, WorkOrder, WorkOrderEvent
from onewindow.hotline.open311.catalogue import ATTRIBUTES, service_get
from onewindow.hotline.open311.errors import Open311Error, both
from onewindow.hotline.services import CallerInput, OrderInput, order_submit
from onewindow.hotline.transitions import OrderState

TITLE_LENGTH = 40
DESCRIPTION_MAX_LENGTH = 4000
FIELD_MAX_LENGTH = 255
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,40}")
ORDER_NUMBER = re.compile(r"[A-Z]{2}\d{14}")
IDS_MAX = 100
RANGE_DAYS = 90
RESULTS_MAX = 1000
EARLIEST, LATEST = dt.datetime(1900, 1, 1), dt.datetime(9000, 1, 1)
CLOSED_STATES = frozenset({OrderState.CLOSED, OrderState.NOT_ACCEPTED, OrderState.MERGED})
SERVICE_NOTICE = _(
    "Received by the 12345 hotline; an agent accepts it and passes it to the unit responsible."
)
# Where a problem of the service's input field is reported, by the Open311 parameter.
PARAMETER_OF = {
    "content": "description",
    "title": "description",
    "place": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "caller_phone": "phone",
    "caller_name": "first_name",
    "order_type": "attribute[order_type]",
    "urgency": "attribute[urgency]",
    "category": "service_code",
}


def both_text(message: Any, **params: Any) -> str:
    return both(message, **params)


def bad_request(message: Any, **params: Any) -> Open311Error:
    return Open311Error.of(400, message, reason="invalid", **params)


def _field(data: Mapping[str, str], name: str, *, multiline: bool = False) -> str:
    value = data.get(name, "") or ""
    limit = DESCRIPTION_MAX_LENGTH if multiline else FIELD_MAX_LENGTH
    if len(value) > limit:
        raise bad_request(
            _("%(field)s: at most %(max_length)s characters are allowed."),
            field=name,
            max_length=limit,
        )
    if has_control_characters(value, multiline=multiline):
        raise bad_request(_("%(field)s: control characters are not allowed."), field=name)
    return value.strip()


@dataclass(frozen=True)
class Posted:
    order: WorkOrder
    created: bool


def _attribute(data: Mapping[str, str], code: str) -> str:
    for attribute in ATTRIBUTES:
        if attribute.code == code:
            value = _field(data, f"attribute[{code}]") or attribute.default
            if value not in {key for key, _label in attribute.values}:
                raise bad_request(
                    _("attribute[%(code)s]: not one of the values of the service definition."),
                    code=code,
                )
            return value
    raise KeyError(code)


def _caller_name(first: str, last: str) -> str:
    if not (first.isascii() and last.isascii()):
        return f"{last}{first}"  # 姓 before 名, no space
    return f"{first} {last}".strip()


def request_post(*, client: Open311Client, data: Mapping[str, str], idempotency_key: str) -> Posted:
    """Checked at the edge, then one work order (or, for a repeat of the same idempotency key
    of the same client, the order the first post made)."""
    for name in data:
        if len(name) > 64 or has_control_characters(name):
            raise bad_request(_("A parameter name is not valid."))
    source_key = None
    if idempotency_key:
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise bad_request(_("idempotency_key: 1 to 40 letters, digits or . _ : - are allowed."))
        source_key = f"open311:{client.pk}:{idempotency_key}"
    code = _field(data, "service_code")
    if not code:
        raise bad_request(_("service_code: give the code of a service."))
    category = service_get(code)
    if category is None:
        raise Open311Error.of(404, _("service_code: no such service."), reason="unknown_service")
    description = _field(data, "description", multiline=True)
    if not description:
        raise bad_request(_("description: describe the matter."))
    address = _field(data, "address_string")
    lat, long = _field(data, "lat"), _field(data, "long")
    if not address and not (lat and long):
        raise bad_request(_("Give the location: lat and long, or address_string."))
    first, last = _field(data, "first_name"), _field(data, "last_name")
    phone = _field(data, "phone")
    # email, device_id, account_id and media_url are accepted and not kept.
    for ignored in (
        "email",
        "device_id",
        "account_id",
        "media_url",
        "address_id",
        "jurisdiction_id",
    ):
        _field(data, ignored)
    order_type = _attribute(data, "order_type")
    urgency = _attribute(data, "urgency")
    confidential = _attribute(data, "confidential") == "true"
    name = _caller_name(first, last)
    title = description.splitlines()[0][:TITLE_LENGTH].strip() or category.name
    order_input = OrderInput(
        order_type=order_type,
        title=title,
        content=description,
        urgency=urgency,
        category_code=category.code,
        place=address,
        latitude=lat or None,
        longitude=long or None,
        wants_reply=bool(phone),
        confidential=confidential,
    )
    caller = CallerInput(name=name, phone=phone, anonymous=not (name or phone))
    try:
        with transaction.atomic():
            order, created = order_submit(
                data=order_input, caller=caller, channel=Channel.OPEN311, source_key=source_key
            )
    except ValidationFailed as exc:
        raise Open311Error(
            400,
            [
                f"{PARAMETER_OF.get(e.field, e.field)}: {both(e.message, **e.params)}"
                for e in exc.errors
            ],
            reason="invalid",
        ) from None
    except IntegrityError:
        # The same idempotency key posted twice at once: the other post made the order.
        existing = WorkOrder.objects.filter(source_key=source_key).first() if source_key else None
        if existing is None:
            raise
        order, created = existing, False
    return Posted(order=order, created=created)


# --- reading -----------------------------------------------------------------------------------


def _when(raw: str, name: str) -> dt.datetime:
    try:
        value = parse_datetime(raw) if len(raw) <= 40 else None
    except ValueError:  # well formed, not a date (2026-13-45)
        value = None
    if value is not None and not EARLIEST < value.replace(tzinfo=None) < LATEST:
        value = None  # the 90 days around it would leave the calendar
    if value is None:
        raise bad_request(
            _("%(field)s: give a W3C date and time, e.g. 2026-01-01T00:00:00+08:00."), field=name
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _listed(raw: str, name: str) -> list[str]:
    values = [value.strip() for value in raw.split(",") if value.strip()]
    if len(values) > IDS_MAX:
        raise bad_request(_("%(field)s: at most %(max)s values."), field=name, max=IDS_MAX)
    return values


def _published() -> QuerySet[WorkOrder]:
    """The orders the face tells of: those that came through it."""
    return (
        WorkOrder.objects.filter(channel=Channel.OPEN311)
        .select_related("category", "lead_unit")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=WorkOrderEvent.objects.filter(public=True).order_by("at", "id"),
                to_attr="public_events",
            ),
            Prefetch(
                "replies",
                queryset=HandlingReply.objects.order_by("round", "id"),
                to_attr="reply_rows",
            ),
        )
    )


def requests_find(params: Mapping[str, str], *, now: dt.datetime) -> list[WorkOrder]:
    """GET requests: ``service_request_id`` (comma list) overrides every other filter; else
    ``service_code``, ``status`` (open, closed), ``start_date``/``end_date`` (at most 90 days;
    the last 90 days by default); at most 1000, newest first."""
    for name in ("service_request_id", "service_code", "status", "start_date", "end_date"):
        value = params.get(name, "") or ""
        if len(value) > 2000 or has_control_characters(value):
            raise bad_request(_("%(field)s: not a valid value."), field=name)
    ids = _listed(params.get("service_request_id", "") or "", "service_request_id")
    rows = _published()
    if ids:
        if any(not ORDER_NUMBER.fullmatch(value) for value in ids):
            raise bad_request(_("service_request_id: not a request number."))
        return list(rows.filter(number__in=ids).order_by("-received_at", "-id"))
    codes = _listed(params.get("service_code", "") or "", "service_code")
    if codes:
        rows = rows.filter(category__code__in=codes)
    statuses = set(_listed(params.get("status", "") or "", "status"))
    if statuses - {"open", "closed"}:
        raise bad_request(_("status: open or closed."))
    if statuses == {"open"}:
        rows = rows.exclude(state__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        rows = rows.filter(state__in=CLOSED_STATES)
    start_raw, end_raw = params.get("start_date", "") or "", params.get("end_date", "") or ""
    start = _when(start_raw, "start_date") if start_raw else None
    end = _when(end_raw, "end_date") if end_raw else None
    span = dt.timedelta(days=RANGE_DAYS)
    if start is None:
        end = end or now
        start = end - span
    elif end is None:
        end = start + span
    if start > end:
        raise bad_request(_("start_date must not be after end_date."))
    if end - start > span:
        raise bad_request(_("The date range may span at most %(days)s days."), days=RANGE_DAYS)
    rows = rows.filter(received_at__gte=start, received_at__lte=end)
    return list(rows.order_by("-received_at", "-id")[:RESULTS_MAX])


def request_get(number: str) -> WorkOrder | None:
    if not ORDER_NUMBER.fullmatch(number):
        return None
    return _published().filter(number=number).first()


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _status_notes(order: WorkOrder) -> str:
    """The unit's public reply once it replied; else what the caller is told of the latest
    public event."""
    replies = getattr(order, "reply_rows", [])
    if replies and not order.confidential:
        return replies[-1].public_reply
    for event in reversed(getattr(order, "public_events", [])):
        if event.action in WORK_ORDER_EVENTS and WORK_ORDER_EVENTS[event.action].public_label:
            return WORK_ORDER_EVENTS.public_label(event.action)
    return ""


def request_public(order: WorkOrder) -> dict[str, Any]:
    """The spec's fields of one request, in the spec's order. ``description`` is left empty:
    the caller's own words may name people (docs/adr/0022-open311.md)."""
    events = getattr(order, "public_events", [])
    updated = events[-1].at if events else order.received_at
    return {
        "service_request_id": order.number,
        "status": "closed" if order.state in CLOSED_STATES else "open",
        "status_notes": _status_notes(order),
        "service_name": order.category.name if order.category else "",
        "service_code": order.category.code if order.category else "",
        "description": "",
        "agency_responsible": order.lead_unit.name if order.lead_unit else "",
        "service_notice": str(SERVICE_NOTICE),
        "requested_datetime": _moment(order.received_at),
        "updated_datetime": _moment(updated),
        "expected_datetime": _moment(order.due_at),
        # A confidential request (是否保密) publishes no place: it may be the caller's door.
        "address": "" if order.confidential else order.place,
        "address_id": "",
        "zipcode": "",
        "lat": float(order.latitude)
        if order.latitude is not None and not order.confidential
        else None,
        "long": float(order.longitude)
        if order.longitude is not None and not order.confidential
        else None,
        "media_url": "",
    }
