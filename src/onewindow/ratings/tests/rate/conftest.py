"""The scene of the rating tests (``ratings/tests/conftest.py``: the cases' city, an instant
case), plus a lift case delivered after every department's step, and the answers of a valid
form for each occasion."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases.tests.test_progress import delivered_lift_case
from onewindow.ratings.codes import Occasion, dimensions_for
from onewindow.ratings.tests.conftest import City, city, instant_case

__all__ = ["PERSONAL", "City", "city", "delivered", "dims", "instant_case"]

# What names the rater (陈大文, the city's applicant): never in anything the rated staff read.
PERSONAL = ["陈大文", "13800138000", "138****8000"]


def dims(occasion: str, level: int) -> dict[str, int]:
    return {str(d): level for d in dimensions_for(occasion)}


@pytest.fixture
def delivered(city: City) -> Any:
    return delivered_lift_case(city)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"
    # The limit of public posts has its own test (from its own address).
    settings.RATING_POSTS_PER_MINUTE = 1000


ONLINE = Occasion.CASE
VISIT = Occasion.VISIT
