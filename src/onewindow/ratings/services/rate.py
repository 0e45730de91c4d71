"""A rating given (好差评), on any channel, and the default after the period.

``rating_submit`` is the one way a rating is stored: the pad and the receipt's QR code (one
rating per visit), the account, the SMS link and the progress page (one per case online), and
ratings arriving from 12345. It validates everything it is given first (every problem at once,
bilingual), then the occasion (completed? within the period? rated already?), then stores the
rating with the national fields taken from the case, the rated staff, and — for a 差评 — the
rectification (``rectify.rectification_open``), all in one transaction with its audit row.

``ratings_default_sweep`` gives ``RATING_DEFAULT_LEVEL`` to every completed case whose online
period ended without a rating (``is_default``, channel ``default``): counted apart, never a
rectification; run twice, it stores nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.transitions import TaskState
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.core.validation import has_control_characters
from onewindow.ratings import figures, selectors
from onewindow.ratings.codes import (
    FORM_VERSION,
    ON_SITE_CHANNELS,
    ONLINE_CHANNELS,
    Channel,
    Occasion,
    RatedRole,
    dimensions_for,
    is_bad,
    options_for,
)
from onewindow.ratings.errors import AlreadyRated, NotRateableYet, RatingClosed
from onewindow.ratings.models import RatedStaff, Rating, RatingPad
from onewindow.ratings.services.rectify import rectification_open

COMMENT_MAX_LENGTH = 500
GIVE_ACTION = "ratings.rating_give"
DEFAULT_ACTION = "ratings.rating_default"
SWEEP_BATCH = 500

INVALID_MESSAGE = _("The rating was not stored: correct the marked answers.")


def _level_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def rating_validate(
    *,
    occasion: str,
    level: Any,
    dimensions: Any,
    options: Any,
    comment: Any,
    version: str = FORM_VERSION,
) -> ErrorList:
    """Every problem of one rating's answers (empty: valid). The level and each dimension an
    integer 1–5; the dimensions exactly the occasion's set; the options only those the form
    shows for the level; the comment at most 500 characters without control characters."""
    errors = ErrorList()
    if not _level_ok(level):
        errors.add("level", "invalid_level", _("Choose one of the five levels (1 to 5)."))
    expected = [str(d) for d in dimensions_for(occasion)]
    if not isinstance(dimensions, Mapping):
        errors.add("dimensions", "invalid", _("Rate each of the listed aspects from 1 to 5."))
    else:
        for key in dimensions:
            if key not in expected:
                errors.add(
                    f"dimensions.{str(key)[:40]}",
                    "unknown_dimension",
                    _("This form does not rate this aspect."),
                )
        for key in expected:
            if key not in dimensions:
                errors.add(f"dimensions.{key}", "required", _("Rate this aspect from 1 to 5."))
            elif not _level_ok(dimensions[key]):
                errors.add(f"dimensions.{key}", "invalid_level", _("Rate this aspect from 1 to 5."))
    if not isinstance(options, list | tuple) or not all(isinstance(o, str) for o in options):
        errors.add("options", "invalid", _("Tick only the reasons shown."))
    elif _level_ok(level):
        offered = {o.code for o in options_for(occasion, level, version)}
        if len(set(options)) != len(options):
            errors.add("options", "duplicate_option", _("Each reason can be ticked once."))
        for code in options:
            if code not in offered:
                errors.add(
                    "options",
                    "option_not_offered",
                    _("“%(option)s” is not one of the reasons shown for this level."),
                    option=code[:40],
                )
    if not isinstance(comment, str):
        errors.add("comment", "invalid", _("The comment must be text."))
    else:
        if len(comment) > COMMENT_MAX_LENGTH:
            errors.add(
                "comment",
                "too_long",
                _("Keep the comment to %(max)s characters (it has %(length)s)."),
                max=COMMENT_MAX_LENGTH,
                length=len(comment),
            )
        if has_control_characters(comment, multiline=True):
            errors.add(
                "comment",
                "control_characters",
                _("The comment must not contain control characters; retype it."),
            )
    return errors


def _rated_staff(case: Case, window_clerk: Any) -> list[tuple[Any, str, int | None]]:
    """(user id, role, department id): the window clerk, then every distinct back-office
    assignee of the case's finished steps, in the order they finished."""
    out: list[tuple[Any, str, int | None]] = []
    if window_clerk is not None:
        out.append((window_clerk, RatedRole.WINDOW, None))
    seen: set[int] = set()
    tasks = (
        CaseTask.objects.filter(case=case, state=TaskState.DONE, assignee__isnull=False)
        .order_by("finished_at", "id")
        .values_list("assignee_id", "department_id")
    )
    for user_id, department_id in tasks:
        if user_id in seen:
            continue
        seen.add(user_id)
        out.append((user_id, RatedRole.BACK_OFFICE, department_id))
    return out


def _rating_row(
    *,
    case: Case,
    key: str,
    occasion: str,
    channel: str,
    level: int,
    dimensions: dict[str, int],
    options: list[str],
    comment: str,
    is_default: bool,
    now: dt.datetime,
) -> Rating:
    version = case.item_version
    return Rating(
        occasion_key=key,
        occasion=occasion,
        channel=channel,
        level=level,
        dimensions=dimensions,
        options=options,
        comment=comment,
        form_version=FORM_VERSION,
        is_default=is_default,
        rated_at=now,
        case=case,
        case_number=case.number,
        case_name=str(version.snapshot.get("name", ""))[:255],
        case_state=case.state,
        item_id=case.item_id,
        item_code=str(version.snapshot.get("code", ""))[:64],
        item_version_number=version.number,
        department_id=case.department_id,
        centre_id=case.centre_id,
        window_id=case.window_id,
        region_code=case.centre.region.code,
        applicant_type=case.applicant_type,
    )


def _store(rating: Rating, staff: Iterable[tuple[Any, str, int | None]]) -> Rating:
    """Insert the rating (its unique occasion settles a race: ``AlreadyRated``) and its staff."""
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError:
        raise AlreadyRated() from None
    RatedStaff.objects.bulk_create(
        [
            RatedStaff(
                rating=rating,
                user_id=user,
                role=role,
                department_id=department_id,
            )
            for user, role, department_id in staff
        ]
    )
    return rating


def _audit(rating: Rating, action: str) -> None:
    # The rating's facts only: no rater, no comment (it may hold a name or a phone number).
    detail: dict[str, Any] = {
        "case": rating.case_number,
        "occasion": rating.occasion,
        "channel": rating.channel,
        "level": rating.level,
        "default": rating.is_default,
        "form_version": rating.form_version,
    }
    if rating.pad_id is not None:
        detail["pad"] = rating.pad_id
    audit_record(actor=None, action=action, obj=rating, detail=detail)


def rating_submit(
    *,
    case: Case,
    channel: str,
    level: Any,
    dimensions: Any,
    options: Any = (),
    comment: Any = "",
    event: CaseEvent | None = None,
    pad: RatingPad | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Store one rating of ``case`` given on ``channel``: a visit (on-site channels; ``event``
    is the window move the visit is about) or the case online (one per case). ``pad``: the pad
    that gave it (stored with the rating and named in its audit row).

    Refusals: ``ValidationFailed`` (422) naming every wrong answer; ``NotRateableYet`` (409)
    for a case not completed (online) or an event that is no visit of this case;
    ``RatingClosed`` (409) after ``RATING_PERIOD_DAYS`` from the completion or the visit;
    ``AlreadyRated`` (409) for a second rating of the occasion, also under a race.
    Side effects: the rating, its rated staff (for a visit: the event's actor at the window,
    only; for the case: the window clerk and every distinct back-office assignee of a finished
    step), the rectification of a 差评,
    and the audit row ``ratings.rating_give`` — in one transaction."""
    now = now or timezone.now()
    if channel in ON_SITE_CHANNELS:
        occasion = Occasion.VISIT
    elif channel in ONLINE_CHANNELS:
        occasion = Occasion.CASE
    else:
        errors = ErrorList()
        errors.add("channel", "invalid_channel", _("Unknown rating channel."))
        errors.raise_if_any(INVALID_MESSAGE)
    errors = rating_validate(
        occasion=occasion, level=level, dimensions=dimensions, options=options, comment=comment
    )
    errors.raise_if_any(INVALID_MESSAGE)
    if occasion == Occasion.VISIT:
        if event is None or event.case_id != case.pk or event.action not in selectors.VISIT_ACTIONS:
            raise NotRateableYet()
        key = selectors.visit_occasion_key(case.pk, event.pk)
        start: dt.datetime | None = event.at
        window_clerk = event.actor_id or case.clerk_id
    else:
        key = selectors.case_occasion_key(case.pk)
        start = selectors.case_completed_at(case)
        window_clerk = case.clerk_id
    if start is None:
        raise NotRateableYet()
    if now > start + selectors.rating_period():
        raise RatingClosed()
    if selectors.occasion_rated(key):
        raise AlreadyRated()
    with transaction.atomic():
        rating = _rating_row(
            case=case,
            key=key,
            occasion=occasion,
            channel=channel,
            level=level,
            dimensions={str(d): dimensions[str(d)] for d in dimensions_for(occasion)},
            options=list(options),
            comment=comment.strip(),
            is_default=False,
            now=now,
        )
        rating.pad = pad
        if occasion == Occasion.VISIT:
            # A visit rates the clerk at the window, only (not the back office's steps).
            staff: list[tuple[Any, str, int | None]] = (
                [(window_clerk, RatedRole.WINDOW, None)] if window_clerk is not None else []
            )
        else:
            staff = _rated_staff(case, window_clerk)
        _store(rating, staff)
        if is_bad(level):
            rectification_open(rating=rating, now=now)
        _audit(rating, GIVE_ACTION)
    return rating


def default_level() -> int | None:
    """``RATING_DEFAULT_LEVEL`` as a level, or None ("": no default is given)."""
    value = str(settings.RATING_DEFAULT_LEVEL).strip()
    if not value:
        return None
    level = int(value)
    if not 1 <= level <= 5:
        raise ValueError(f"RATING_DEFAULT_LEVEL must be empty or 1–5, not {value!r}")
    return level


def defaults_from(now: dt.datetime) -> dt.datetime:
    """The first completion that may still get a default: ``RATING_DEFAULTS_FROM`` (an ISO date,
    local midnight) when set, else ``2 × RATING_PERIOD_DAYS`` before ``now`` — so the first sweep
    after a deployment never defaults the whole history (each one dated at the end of its
    period, months ago). A case whose period ended while the sweep did not run for longer
    than a period gets no default (the rule is written in ratings/README.md)."""
    value = str(getattr(settings, "RATING_DEFAULTS_FROM", "") or "").strip()
    if not value:
        return now - 2 * selectors.rating_period()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"RATING_DEFAULTS_FROM must be empty or YYYY-MM-DD, not {value!r}"
        ) from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _default_candidates(*, since: dt.datetime, cutoff: dt.datetime) -> Any:
    """Completed cases (``figures.completed``: handed over, or an instant item finished on the
    spot) from ``since`` whose online period ended by ``cutoff`` without a case rating."""
    completed = figures.completed(since=since, until=cutoff + dt.timedelta(microseconds=1))
    return (
        Case.objects.filter(completed)
        .exclude(ratings__occasion=Occasion.CASE)
        .select_related("item_version", "centre__region")
        .order_by("id")
    )


def ratings_default_sweep(*, now: dt.datetime | None = None) -> int:
    """Give the default level to every completed case (from ``defaults_from``) whose online
    rating period ended without a rating, dated at the end of that period; returns how many
    were given. Idempotent (the unique occasion: a case defaulted
    by another run meanwhile is skipped). Defaults never open a rectification, even when the
    local rule's level were a bad one."""
    level = default_level()
    if level is None:
        return 0
    now = now or timezone.now()
    cutoff = now - selectors.rating_period()
    given = 0
    for case in _default_candidates(since=defaults_from(now), cutoff=cutoff)[:SWEEP_BATCH]:
        completed = selectors.case_completed_at(case)
        if completed is None or completed + selectors.rating_period() > now:
            continue
        # Dated when the period ended (not when the sweep ran): it falls in its own month.
        ended = completed + selectors.rating_period()
        rating = _rating_row(
            case=case,
            key=selectors.case_occasion_key(case.pk),
            occasion=Occasion.CASE,
            channel=Channel.DEFAULT,
            level=level,
            dimensions={},
            options=[],
            comment="",
            is_default=True,
            now=ended,
        )
        try:
            with transaction.atomic():
                _store(rating, _rated_staff(case, case.clerk_id))
                _audit(rating, DEFAULT_ACTION)
        except AlreadyRated:
            continue
        given += 1
    return given


__all__ = [
    "COMMENT_MAX_LENGTH",
    "default_level",
    "rating_submit",
    "rating_validate",
    "ratings_default_sweep",
]
