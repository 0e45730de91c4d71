"""The scene of the bad-rating loop's tests: the ratings scene (``ratings/tests/conftest.py``)
with the instant item's department lead, the street centre's manager, another department's
lead, and a bad rating of the instant case with its rectification."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.org.models import Role
from onewindow.ratings.models import Rectification
from onewindow.ratings.tests.conftest import City, city, instant_case, rating_of
from onewindow.testing.factories import staff_with_role

__all__ = ["City", "city", "instant_case", "rating_of"]


@pytest.fixture
def lead(instant_case: Any) -> Any:
    """The lead of 区社会保险基金管理局, the instant item's department."""
    return staff_with_role(Role.DEPT_LEAD, department=instant_case.department)


@pytest.fixture
def manager(city: City) -> Any:
    return staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)


@pytest.fixture
def other_lead(city: City) -> Any:
    """The lead of another department (区住房和建设局)."""
    return city.leads[city.lead_department.pk]


@pytest.fixture
def bad(instant_case: Any) -> Rectification:
    """The rectification of a 非常不满意 of the instant case, to be called back."""
    rating = rating_of(instant_case, 1)
    return Rectification.objects.get(rating=rating)


def fresh(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_related("rating").get(pk=rectification.pk)
