"""The demo citizen: a person registered at a window with a known mobile and three cases, so
that ``make run`` lets anyone try the citizen's channel (``/my/``): sign in with
``DEMO_CITIZEN_PHONE`` (the code is written to the console), bind the real name with
``DEMO_CITIZEN_ID`` and ``DEMO_CITIZEN_NAME`` (the demo's real-name check finds this person by
ID, name and mobile) and see "my cases" — one accepted (个体工商户设立登记 where street01's centre
takes it), one waiting for a 补正, one decided and handed over.

Through the real services only, like ``demo.cases``; run after it by ``demo_city``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT, Person
from onewindow.applicants.services import person_register
from onewindow.cases.models import OutputMethod
from onewindow.cases.services import (
    Intake,
    MaterialReceipt,
    case_accept,
    case_deliver,
    case_request_supplement,
)
from onewindow.catalog.codes import CaseType, ItemStatus
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.selectors import item_accepted_at
from onewindow.core import crypto
from onewindow.demo.cases import STREET01, _finish_step, _output_centre_of, _receipts
from onewindow.org.models import Role, WindowKind

DEMO_CITIZEN_NAME = "林晓敏"
DEMO_CITIZEN_PHONE = "13800138000"
_BODY = "44010319880516888"
DEMO_CITIZEN_ID = _BODY + ric.calc_check_digit(_BODY + "0")
FIRST_ITEM = "个体工商户设立登记"


def demo_citizen() -> Person | None:
    """The demo citizen's person, if the demo has one."""
    index = crypto.blind_index(DEMO_CITIZEN_ID, context=ID_NUMBER_INDEX_CONTEXT)
    return Person.objects.filter(id_type="111", id_number_index=index).first()


def build_demo_citizen(*, now: dt.datetime | None = None) -> int:
    """Register the demo citizen and accept their three cases at street01's centre; the number
    of cases made (0 when the demo citizen exists already or the centre takes no item)."""
    if demo_citizen() is not None:
        return 0
    now = now or timezone.now()
    centre = _output_centre_of(STREET01)
    if centre is None:
        return 0
    users = get_user_model().objects
    clerk = (
        users.filter(role_assignments__role=Role.INTAKE_CLERK, role_assignments__centre=centre)
        .order_by("username")
        .first()
    )
    output = (
        users.filter(role_assignments__role=Role.OUTPUT_CLERK, role_assignments__centre=centre)
        .order_by("username")
        .first()
    )
    window = centre.windows.filter(kind=WindowKind.INTAKE).order_by("number").first()
    items = [
        item
        for item in ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED, case_type=CaseType.PROMISED
        )
        .prefetch_related("materials", "handled_in_regions")
        .order_by("implementation_code")
        if item_accepted_at(item=item, centre=centre) and item.materials.exists()
    ]
    if clerk is None or len(items) < 3:
        return 0
    items.sort(key=lambda item: item.name != FIRST_ITEM)  # 个体工商户设立登记 first, if taken
    with transaction.atomic():
        person = person_register(
            id_type="111",
            id_number=DEMO_CITIZEN_ID,
            name=DEMO_CITIZEN_NAME,
            phone=DEMO_CITIZEN_PHONE,
            identity_check="card_read",  # the demo's clerks read every card
            actor=clerk,
        )

        def intake(item: ServiceItem, materials: list[MaterialReceipt] | None = None) -> Any:
            return Intake(
                item=item,
                centre=centre,
                window=window,
                clerk=clerk,
                person=person,
                materials=materials or _receipts(item),
                output_centre=centre,
            )

        case_accept(intake=intake(items[0]), now=now)
        wanting = _receipts(items[1])
        wanting[0] = MaterialReceipt(
            name=wanting[0].name, status="faulty", problem=_("Signature missing.")
        )
        case_request_supplement(
            intake=intake(items[1], wanting), deadline=now.date() + dt.timedelta(days=10)
        )
        decided = case_accept(intake=intake(items[2]), now=now - dt.timedelta(days=3))
        while _finish_step(decided):
            decided.refresh_from_db()
        decided.refresh_from_db()
        if decided.state == "decided" and output is not None:
            case_deliver(
                case=decided, actor=output, method=OutputMethod.WINDOW, collector_id_checked=True
            )
    return 3
