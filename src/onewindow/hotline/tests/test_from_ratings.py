"""差评 into 12345 where the locality wants it: one submitted complaint per active bad rating,
the case's applicant as the caller, nothing twice."""

from __future__ import annotations

import pytest
from django.test import override_settings

from onewindow.core.audit import AuditLog
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.services import bad_ratings_to_orders
from onewindow.ratings.tests.conftest import City, city, instant_case, rating_of

__all__ = ["City", "city", "instant_case"]


@pytest.mark.django_db
def test_off_by_default(instant_case):
    rating_of(instant_case, 1)
    assert bad_ratings_to_orders() == 0
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
@override_settings(HOTLINE_FROM_BAD_RATINGS=True)
def test_a_bad_rating_becomes_one_submitted_complaint_about_its_case(instant_case):
    bad = rating_of(instant_case, 2)
    assert bad_ratings_to_orders() == 1
    assert bad_ratings_to_orders() == 0  # a rerun adds nothing
    order = WorkOrder.objects.get()
    assert (order.state, order.channel, order.order_type, order.source_key) == (
        "submitted",
        "rating",
        "complaint",
        f"rating:{bad.pk}",
    )
    assert (order.case, order.item_id) == (instant_case, bad.item_id)
    person = instant_case.person
    caller = order.callers.get()
    assert (caller.name, caller.phone_index, caller.phone_masked) == (
        person.name,
        person.phone_index,
        person.phone_masked,
    )
    read = AuditLog.objects.filter(action="notify.recipient_read").latest("id")
    assert read.detail["purpose"] == "hotline"


@pytest.mark.django_db
@override_settings(HOTLINE_FROM_BAD_RATINGS=True)
def test_good_and_default_ratings_stay_out(instant_case):
    rating_of(instant_case, 5)
    assert bad_ratings_to_orders() == 0
