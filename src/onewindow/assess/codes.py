"""Code values of the assessment: the honours, the figures of the staff score and their default
weights, and the figure codes a drill-down names (the cases behind one figure)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HonourKind(models.TextChoices):
    SERVICE_STAR = "service_star", _("Service star of the month (服务之星)")
    MODEL_WINDOW = "model_window", _("Model window of the month (流动红旗)")


class ScoreFigure(models.TextChoices):
    """The four figures of the staff score (who did more, faster, with fewer errors, better)."""

    VOLUME = "volume", _("Work done (cases taken in and steps handled)")
    ON_TIME = "on_time", _("On-time share of the steps handled")
    ACCURACY = "accuracy", _("Cases taken in without a return for papers")
    RATING = "rating", _("Rating (active ratings that count)")


# The short names of the figures, where the weights are listed (page, export, history).
SHORT_LABELS: dict[str, Any] = {
    ScoreFigure.VOLUME: pgettext_lazy("score weight", "Work"),
    ScoreFigure.ON_TIME: pgettext_lazy("score weight", "On time"),
    ScoreFigure.ACCURACY: pgettext_lazy("score weight", "Accuracy"),
    ScoreFigure.RATING: pgettext_lazy("score weight", "Rating"),
}

# Used until a centre's manager sets its own (and for a street's or the district's ranking).
DEFAULT_WEIGHTS: dict[str, int] = {
    ScoreFigure.VOLUME: 30,
    ScoreFigure.ON_TIME: 30,
    ScoreFigure.ACCURACY: 20,
    ScoreFigure.RATING: 20,
}

# The seeds' target for the share of instant items (即办件 ≥ 30 %).
INSTANT_SHARE_TARGET = 30


class Figure(models.TextChoices):
    """A figure whose cases a drill-down lists (``selectors.cases_behind``)."""

    # Table 1: ratings (the cases rated in the month).
    RATED = "rated", _("Rated")
    RATED_5 = "rated_5", _("Rated 5 (非常满意)")
    RATED_4 = "rated_4", _("Rated 4 (满意)")
    RATED_3 = "rated_3", _("Rated 3 (基本满意)")
    RATED_2 = "rated_2", _("Rated 2 (不满意)")
    RATED_1 = "rated_1", _("Rated 1 (非常不满意)")
    DEFAULTED = "defaulted", _("Default ratings")
    BAD = "bad", _("Bad ratings (差评)")
    RECTIFIED = "rectified", _("Bad ratings rectified")
    RECTIFY_OVERDUE = "rectify_overdue", _("Rectifications overdue")
    # Table 2: efficiency and e-supervision.
    ACCEPTED = "accepted", _("Accepted")
    DECIDED = "decided", _("Decided")
    ON_TIME = "on_time", _("Decided on time")
    YELLOW = "yellow", _("Yellow cards")
    RED = "red", _("Red cards")
    SUPPLEMENT = "supplement", _("补正 (papers asked for)")
    INSTANT = "instant", _("Instant cases")
    # Table 3: staff.
    TAKEN_IN = "taken_in", _("Cases taken in")
    HANDLED = "handled", _("Steps handled")
    HANDLED_ON_TIME = "handled_on_time", _("Steps handled on time")
    RETURNED = "returned", _("Returned for papers")
    STAFF_RATED = "staff_rated", _("Ratings that count")
