"""Code values of comprehensive enforcement: who the party is, the penalty's kind, how a task
ended."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# ``hotline.HandlingUnit.kind`` of the one comprehensive enforcement team (``UnitKind``'s
# value, repeated here: this app sits beside the hotline and does not import it).
TEAM_UNIT_KIND = "enforcement"


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person (自然人)")
    COMPANY = "company", _("Company or organisation (单位)")


class PenaltyKind(models.TextChoices):
    """行政处罚法 §9, the kinds an enforcement team decides most."""

    WARNING = "warning", _("Warning (警告)")
    FINE = "fine", _("Fine (罚款)")
    CONFISCATION = "confiscation", _("Confiscation of illegal gains or goods (没收)")
    DEMOLITION = "demolition", _("Order to demolish (责令限期拆除)")


class Outcome(models.TextChoices):
    NO_VIOLATION = "no_violation", _("No violation found (未发现违法)")
    RECTIFIED = "rectified", _("Rectified within the deadline (已整改)")
    PENALISED = "penalised", _("Penalty decided (已处罚)")
    DROPPED = "dropped", _("Dropped (撤销)")
