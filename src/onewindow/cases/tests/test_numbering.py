import datetime as dt

import pytest

from onewindow.cases.services import case_number_next
from onewindow.testing.factories import CentreFactory

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_day_and_district():
    centre = CentreFactory()
    day = dt.date(2026, 11, 23)
    assert [case_number_next(centre=centre, today=day) for _ in range(3)] == [
        "4401032026112300001",
        "4401032026112300002",
        "4401032026112300003",
    ]
    assert case_number_next(centre=centre, today=day + dt.timedelta(days=1)) == (
        "4401032026112400001"
    )


def test_the_format_is_configurable(settings):
    settings.CASE_NUMBER_FORMAT = "LW-{date:%y%m%d}-{seq:04d}"
    centre = CentreFactory()
    assert case_number_next(centre=centre, today=dt.date(2026, 1, 5)) == "LW-260105-0001"
