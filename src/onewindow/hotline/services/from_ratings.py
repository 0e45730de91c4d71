"""差评 into 12345 (``HOTLINE_FROM_BAD_RATINGS``, off by default): where a locality routes bad
ratings to the hotline as well as through the rectification loop, each active bad rating since
``HOTLINE_FROM_BAD_RATINGS_SINCE_DAYS`` becomes one submitted complaint about its case — the
case's applicant as the caller (phone read through the applicants' audited service), the
rating's comment as the content. ``source_key`` "rating:<id>" makes a rerun add nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.applicants.services import applicant_mobile_for_notice
from onewindow.cases.models import ApplicantType
from onewindow.hotline.codes import Channel, OrderType, Urgency
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.services.common import now_or
from onewindow.hotline.services.intake import CallerInput, OrderInput, order_submit
from onewindow.ratings.codes import BAD_LEVELS
from onewindow.ratings.models import Rating

SOURCE = "rating:{pk}"


def bad_ratings_to_orders(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Submit an order for each active bad rating not yet submitted; returns how many."""
    if not getattr(settings, "HOTLINE_FROM_BAD_RATINGS", False):
        return 0
    now = now_or(now)
    since = now - dt.timedelta(
        days=int(getattr(settings, "HOTLINE_FROM_BAD_RATINGS_SINCE_DAYS", 7))
    )
    ratings = list(
        Rating.objects.filter(level__in=BAD_LEVELS, is_default=False, rated_at__gte=since)
        .select_related("case__person", "case__organisation")
        .order_by("rated_at", "id")[: limit * 2]
    )
    keys = {SOURCE.format(pk=r.pk): r for r in ratings}
    done = set(WorkOrder.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    made = 0
    for key, rating in keys.items():
        if key in done or made >= limit:
            continue
        case = rating.case
        reference = {"case_number": case.number, "rating": rating.pk}
        if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
            phone = applicant_mobile_for_notice(
                organisation=case.organisation, purpose="hotline", reference=reference
            )
            name = case.organisation.name
        elif case.person is not None:
            phone = applicant_mobile_for_notice(
                person=case.person, purpose="hotline", reference=reference
            )
            name = case.person.name
        else:
            phone, name = "", ""
        content = rating.comment.strip() or _("The applicant rated the service %(level)s of 5.") % {
            "level": rating.level
        }
        order_submit(
            data=OrderInput(
                order_type=OrderType.COMPLAINT,
                urgency=Urgency.NORMAL,
                title=(_("Bad rating: %(item)s") % {"item": rating.case_name})[:120],
                content=content,
                region_code=rating.region_code,
            ),
            caller=CallerInput(name=name[:64], phone=phone),
            channel=Channel.RATING,
            source_key=key,
            now=now,
        )
        WorkOrder.objects.filter(source_key=key).update(case=case, item_id=rating.item_id)
        made += 1
    return made


__all__ = ["bad_ratings_to_orders"]
