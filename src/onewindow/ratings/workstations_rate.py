"""The rating side's entry in the staff shell: pairing rating pads with windows. Called once
from ``RatingsConfig.ready()`` (the rectification's entries are registered elsewhere)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action, can
from onewindow.staff.navigation import register_workstation


def _may_pair_somewhere(user: Any) -> bool:
    return can(user, Action.HALL_MANAGE) or can(user, Action.HALL_SERVE)


def register() -> None:
    register_workstation(
        key="ratings.pads",
        label=_("Rating pads"),
        url_name="ratings_staff:pads",
        visible=_may_pair_somewhere,
        order=72,
        description=_("Pair a rating pad with a window, or revoke a lost one."),
    )
    from onewindow.cases.rating_links import register_rating_link
    from onewindow.ratings.links import rating_link_provider

    register_rating_link(rating_link_provider)
