"""The rating side's entry in the staff shell: pairing rating pads with windows. Called once
from ``RatingsConfig.ready()`` (the rectification's entries are registered elsewhere)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="ratings.pads",
        label=_("Rating pads"),
        url_name="ratings_staff:pads",
        action=Action.HALL_MANAGE,  # the centre manager pairs the pads (never a clerk)
        order=72,
        description=_("Pair a rating pad with a window, or revoke a lost one."),
    )
    from onewindow.cases.rating_links import register_rating_link
    from onewindow.ratings.links import rating_link_provider

    register_rating_link(rating_link_provider)
