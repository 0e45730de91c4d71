"""The demo centres have their service groups and booking rules, and a demo clerk calls
tickets at a hall window with the demo login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.demo.generator import HALL_CODE, build_demo_city
from onewindow.demo.queue import load_queue_plan
from onewindow.hall.models import OpeningPeriod, ServiceGroup
from onewindow.hall.services import ticket_call_next, ticket_take
from onewindow.org.models import CentreLevel, ServiceCentre

pytestmark = pytest.mark.django_db

SMALL = 0.05


@pytest.fixture
def small_city() -> Any:
    return build_demo_city(seed=2026, scale=SMALL)


def test_the_hall_and_every_street_centre_have_their_groups(small_city: Any) -> None:
    hall = ServiceCentre.objects.get(code=HALL_CODE)
    groups = list(ServiceGroup.objects.filter(centre=hall).order_by("order"))
    assert [(g.letter, g.bookable) for g in groups] == [
        ("A", True), ("B", True), ("C", True), ("D", False), ("E", True),
    ]  # fmt: skip
    assert sorted(w.number for w in groups[0].windows.all()) == ["01", "02", "03", "04"]
    streets = ServiceCentre.objects.filter(level=CentreLevel.STREET_CENTRE).count()
    assert ServiceGroup.objects.filter(centre__level=CentreLevel.STREET_CENTRE).count() == (
        2 * streets
    )
    plan = load_queue_plan()
    assert OpeningPeriod.objects.count() == ServiceGroup.objects.count() * 7 * len(plan.periods)


def test_a_demo_clerk_signs_in_and_calls_a_ticket_at_window_01(small_city: Any) -> None:
    from django.contrib.auth import get_user_model

    hall = ServiceCentre.objects.get(code=HALL_CODE)
    group = ServiceGroup.objects.get(centre=hall, letter="A")
    ticket = ticket_take(centre=hall, group_id=group.pk)
    clerk = get_user_model().objects.get(username="clerk01")
    client = Client()
    assert client.login(username="clerk01", password="onewindow-demo")
    window = hall.windows.get(number="01")
    assert client.get(f"/staff/hall/windows/{window.pk}/").status_code == 200
    called = ticket_call_next(clerk=clerk, window=window)
    assert called.pk == ticket.pk


def test_a_wrong_edit_of_hall_toml_is_named(tmp_path) -> None:
    from onewindow.demo.datafiles import DATA_DIR, DemoDataError

    text = (DATA_DIR / "hall.toml").read_text(encoding="utf-8")
    (tmp_path / "hall.toml").write_text(text.replace('"13:30-17:00"', '"17:00-13:30"'))
    with pytest.raises(DemoDataError) as caught:
        load_queue_plan(tmp_path)
    assert (
        str(caught.value) == 'hall.toml, [rules], key "periods": 17:00-13:30 ends before it starts'
    )
    (tmp_path / "hall.toml").write_text(text.replace('window_kind = "intake"', 'window_kind = "x"'))
    with pytest.raises(DemoDataError) as caught:
        load_queue_plan(tmp_path)
    assert str(caught.value).startswith('hall.toml, street no. 1 (综合受理), key "window_kind"')
