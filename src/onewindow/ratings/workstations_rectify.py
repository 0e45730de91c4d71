"""The bad-rating loop's entries in the staff shell. Called once from ``RatingsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action, can
from onewindow.staff.navigation import register_workstation


def _rated_staff(user: Any) -> bool:
    """Window clerks and department staff: those who may be rated (and appeal)."""
    return can(user, Action.RATING_APPEAL)


def register() -> None:
    register_workstation(
        key="ratings.rectifications",
        label=_("Bad-rating rectification"),
        url_name="ratings_staff:rectifications",
        action=Action.RATING_VIEW,
        order=46,
        description=_("Call back, verify and fix every bad rating (差评整改)."),
    )
    register_workstation(
        key="ratings.appeals",
        label=_("Rating appeals"),
        url_name="ratings_staff:appeals",
        action=Action.RATING_APPEAL_REVIEW,
        order=47,
        description=_("Review the staff's appeals of bad ratings (申诉复核)."),
    )
    register_workstation(
        key="ratings.mine",
        label=_("My ratings"),
        url_name="ratings_staff:mine",
        visible=_rated_staff,
        order=48,
        description=_("The ratings about your service; appeal a bad one."),
    )
