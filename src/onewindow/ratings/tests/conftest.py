"""The scene of the ratings tests: the cases' city (``cases/tests/conftest.py``), a case
completed on the spot at the instant window, and ``rating_of`` to store a rating directly
(table and page tests); the services' own tests go through ``services.rate``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.cases.services.intake import case_complete_instant
from onewindow.cases.tests.conftest import City, city
from onewindow.ratings.codes import FORM_VERSION, Channel, Occasion, RatedRole
from onewindow.ratings.models import RatedStaff, Rating
from onewindow.ratings.services.rectify import rectification_open

__all__ = ["City", "city", "instant_case", "rating_of"]


@pytest.fixture
def instant_case(city: City) -> Any:
    """城乡居民养老保险待遇核定, completed on the spot at window 02 by the street centre's clerk."""
    return case_complete_instant(
        intake=city.intake(
            city.instant, window=city.instant_window, materials=city.receipts(city.instant)
        )
    )


def rating_of(
    case: Any,
    level: int,
    *,
    occasion: str = Occasion.CASE,
    channel: str = Channel.SMS,
    rated_at: dt.datetime | None = None,
    staff: tuple[tuple[Any, str], ...] | None = None,
    is_default: bool = False,
    counts_in_scores: bool = True,
    key: str | None = None,
) -> Rating:
    """A rating of ``case`` stored as the service would (national fields from the case, the
    window clerk rated, a rectification opened for a bad one) — without the service's checks,
    so a table test can place ratings on any day."""
    rated_at = rated_at or timezone.now()
    version = case.item_version
    with transaction.atomic():
        rating = Rating.objects.create(
            occasion_key=key or f"{occasion}:{case.pk}",
            occasion=occasion,
            channel=channel,
            level=level,
            dimensions={},
            options=[],
            form_version=FORM_VERSION,
            is_default=is_default,
            rated_at=rated_at,
            case=case,
            case_number=case.number,
            case_name=version.snapshot["name"],
            case_state=case.state,
            item_id=case.item_id,
            item_code=version.snapshot.get("code", ""),
            item_version_number=version.number,
            department_id=case.department_id,
            centre_id=case.centre_id,
            window_id=case.window_id,
            region_code=case.centre.region.code,
            applicant_type=case.applicant_type,
            counts_in_scores=counts_in_scores,
        )
        for user, role in staff if staff is not None else ((case.clerk, RatedRole.WINDOW),):
            RatedStaff.objects.create(rating=rating, user=user, role=role)
        if rating.is_bad and not is_default:
            rectification_open(rating=rating, now=rated_at)
    return rating
