"""An accepted application whose originals must be seen offers a booking at the centre's group
that serves the item (the hall app), the one whose items list it before one by department."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.hall.models import OpeningPeriod, ServiceGroup
from onewindow.hall.selectors import visit_group_for
from onewindow.online import services
from onewindow.online.tests.conftest import filled, signed_in
from onewindow.testing.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def group(centre, letter, **serves):
    made = ServiceGroup.objects.create(centre=centre, letter=letter, name=f"{letter}组")
    for field, values in serves.items():
        getattr(made, field).set(values)
    OpeningPeriod.objects.create(group=made, weekday=0, starts=dt.time(9), ends=dt.time(12))
    return made


def accepted(city):
    application = filled(city)
    services.application_submit(account=city.account, reference=application.reference, key="k")
    return services.review_accept(user=city.clerk, reference=application.reference)


def test_the_accepted_page_links_to_booking_at_the_group_serving_the_item(city, client):
    by_department = group(city.street_centre, "A", departments=[city.department])
    by_item = group(city.street_centre, "B", items=[city.item])
    group(city.hall, "C", items=[city.item])  # another centre's
    assert visit_group_for(centre=city.street_centre, item=city.item) == by_item
    application = accepted(city)
    page = signed_in(client, city.account).get(f"/my/online/{application.reference}/")
    html = page.content.decode()
    assert 'id="online-visit"' in html
    assert f'id="online-book-visit" href="/hall/book/?group={by_item.pk}"' in html
    by_item.bookable = False
    by_item.save(update_fields=["bookable"])
    assert visit_group_for(centre=city.street_centre, item=city.item) == by_department


def test_a_general_group_takes_the_items_no_group_names(city, client):
    group(city.street_centre, "B", departments=[DepartmentFactory(name="区教育局")])
    general = group(city.street_centre, "C")
    assert visit_group_for(centre=city.street_centre, item=city.item) == general
    general.bookable = False
    general.save(update_fields=["bookable"])
    assert visit_group_for(centre=city.street_centre, item=city.item) is None


def test_no_booking_link_when_the_centre_books_no_group_for_the_item(city, client):
    application = accepted(city)
    html = signed_in(client, city.account).get(f"/my/online/{application.reference}/")
    assert 'id="online-visit"' in html.content.decode()
    assert 'id="online-book-visit"' not in html.content.decode()
