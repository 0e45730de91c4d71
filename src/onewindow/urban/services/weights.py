"""The weights of the district's monthly grid score (``urban.score``): set by whoever manages
grid management (``Action.URBAN_MANAGE``, district-wide: the score is the district's, so a
centre-scoped ``assess.manage`` would let a street centre's manager change it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.org.permissions import Action, require
from onewindow.urban.models import ScoreWeights
from onewindow.urban.score import WEIGHT_NAMES, WEIGHTS_TOTAL, weights_current

MAX_DIGITS = 3


def weights_parse(raw: Mapping[str, Any]) -> dict[str, int]:
    """Each weight a whole number 0–100 (typed: digits only), together exactly 100."""
    errors = ErrorList()
    values: dict[str, int] = {}
    for name in WEIGHT_NAMES:
        value = raw.get(name)
        if isinstance(value, bool):
            value = None
        if isinstance(value, int):
            number: int | None = value
        else:
            text = str(value if value is not None else "").strip()
            number = (
                int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None
            )
        if number is None or not 0 <= number <= WEIGHTS_TOTAL:
            errors.add(name, "weight", _("Write a whole number from 0 to 100."))
            continue
        values[name] = number
    unknown = sorted(set(raw) - set(WEIGHT_NAMES))
    for name in unknown[:5]:
        errors.add(str(name)[:32], "unknown", _("There is no such weight."))
    if not errors and sum(values.values()) != WEIGHTS_TOTAL:
        errors.add(
            "weights",
            "total",
            _("The weights add up to %(total)s; they must add up to 100."),
            total=sum(values.values()),
        )
    errors.raise_if_any(_("The weights are not saved; correct the marked fields."), code="weights")
    return values


def score_weights_set(*, actor: Any, raw: Mapping[str, Any]) -> ScoreWeights:
    """A new version of the grid score's weights (``raw``: weight name → number or text, as
    typed). Permission first, then validation; audited as ``urban.score_weights_set`` with the
    weights before and after."""
    require(actor, Action.URBAN_MANAGE, None)
    weights = weights_parse(raw)
    with transaction.atomic():
        before = weights_current()
        row = ScoreWeights.objects.create(set_by=actor, **weights)
        audit_record(
            actor=actor,
            action="urban.score_weights_set",
            obj=row,
            object_repr=f"{row.set_at:%Y-%m-%d %H:%M}",
            detail={"before": before, "after": weights},
        )
    return row


__all__ = ["score_weights_set", "weights_parse"]
